import { Component, type ReactNode } from "react";
import { Trans } from "react-i18next";
import { knownSession } from "../auth/session";
import i18n from "../i18n";
import { wayBack } from "./wayBack";

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
  const back = wayBack(knownSession()?.roles);
  return (
    <section className="panel error-panel" role="alert">
      <h1>{t("error.title")}</h1>
      <p>
        <Trans i18nKey={back.body} />
      </p>
      {/* a full page load: whatever state broke this screen is left behind */}
      <a className="button" href={back.href}>
        {t(back.label)}
      </a>
    </section>
  );
}
