import { useTranslation } from "react-i18next";

/** Therapists and supervisors: their workspace is a later part of the web app. */
export default function ClinicianHome() {
  const { t } = useTranslation();
  return (
    <article>
      <h1>{t("clinician.title")}</h1>
      <p>{t("clinician.soon")}</p>
    </article>
  );
}
