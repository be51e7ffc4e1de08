import { useTranslation } from "react-i18next";

/** A gentle moment for a step or a target reached. The motion is CSS only and switched off under
 * prefers-reduced-motion (styles.css). */
export function Celebrate({ what, milestone }: { what: "milestone" | "target"; milestone?: string }) {
  const { t } = useTranslation();
  return (
    <section className="celebrate" role="status" aria-live="polite">
      <span className="celebrate-burst" aria-hidden="true">
        <span />
        <span />
        <span />
        <span />
        <span />
      </span>
      <p className="celebrate-title">
        {what === "target" ? t("celebrate.target") : t("celebrate.milestone", { milestone: milestone ?? "" })}
      </p>
      <p>{t("celebrate.body")}</p>
    </section>
  );
}
