import { Component, type ReactNode } from "react";
import { Trans } from "react-i18next";
import i18n from "../i18n";

/** Something broke while drawing a screen: say so kindly and offer the way back, never a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return <ErrorPanel />;
  }
}

export function ErrorPanel() {
  const t = i18n.t.bind(i18n);
  return (
    <section className="panel error-panel" role="alert">
      <h1>{t("error.title")}</h1>
      <p>
        <Trans i18nKey="error.body" />
      </p>
      {/* a full page load: whatever state broke this screen is left behind */}
      <a className="button" href="/">
        {t("error.home")}
      </a>
    </section>
  );
}
