import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { languageOf } from "../i18n";
import { crisisContacts } from "./contacts";

/** Calm, immediate ways to get support: shown at once when a questionnaire answer says the person may be at risk,
 * and always reachable from the menu. It never mentions a score. */
export function HelpNow({ tenantId, focus = false }: { tenantId: string | undefined; focus?: boolean }) {
  const { t, i18n } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [focus]);
  const language = languageOf(i18n.language);
  return (
    <section className="panel help-now" aria-labelledby="help-now-title">
      <h2 id="help-now-title" ref={heading} tabIndex={-1}>
        {t("help.title")}
      </h2>
      <p>{t("help.intro")}</p>
      <ul className="help-contacts">
        {crisisContacts(tenantId).map((c) => (
          <li key={c.id}>
            <a className="button help-contact" href={c.href}>
              {"key" in c.label ? t(c.label.key) : c.label[language]}
            </a>
          </li>
        ))}
      </ul>
      <p>{t("help.emergency")}</p>
    </section>
  );
}
