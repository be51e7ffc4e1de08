import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useEpisodes, useSession } from "../api/hooks";
import type { Instrument } from "../api/types";
import { QuestionnaireForm } from "../questionnaires/QuestionnaireForm";

export default function Questionnaires() {
  const { t } = useTranslation();
  const session = useSession().data;
  const episodes = useEpisodes();
  // The person's own open episodes; unknown (undefined) until both the session and the list are here.
  const open =
    session && episodes.data
      ? episodes.data.items.filter((e) => e.status === "open" && e.client_id === session.subject)
      : undefined;
  const [chosen, setChosen] = useState<Instrument | null>(null);
  return (
    <article>
      <h1>{t("q.title")}</h1>
      <p>{t("q.intro")}</p>
      {chosen === null ? (
        <div className="actions">
          <button type="button" onClick={() => setChosen("PHQ-9")}>
            {t("q.phq9Title")}
          </button>
          <button type="button" onClick={() => setChosen("GAD-7")}>
            {t("q.gad7Title")}
          </button>
        </div>
      ) : (
        <section aria-labelledby="q-chosen">
          <h2 id="q-chosen">{t(chosen === "PHQ-9" ? "q.phq9Title" : "q.gad7Title")}</h2>
          <QuestionnaireForm key={chosen} instrument={chosen} tenantId={session?.tenant_id} episodes={open} />
        </section>
      )}
    </article>
  );
}
