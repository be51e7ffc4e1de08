import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { api, unwrap } from "../api/client";
import { SessionFeedbackForm } from "../feedback/SessionFeedbackForm";
import { inLanguage } from "../feedback/words";
import { LoadFailed, Loading } from "./common";

/** Where the invitation after a session leads: `/feedback/:episodeId/:sessionId`. */
export default function SessionFeedback() {
  const { t, i18n } = useTranslation();
  const { episodeId = "", sessionId = "" } = useParams();
  const instrument = useQuery({
    queryKey: ["feedback-instrument"],
    queryFn: () => unwrap(api.GET("/api/v1/feedback-instrument")),
    staleTime: 60 * 60 * 1000,
  });
  const answered = useQuery({
    queryKey: ["session-feedback", episodeId],
    queryFn: () =>
      unwrap(api.GET("/api/v1/episodes/{episode_id}/session-feedback", { params: { path: { episode_id: episodeId } } })),
  });
  if (instrument.isPending || answered.isPending) return <Loading />;
  if (!instrument.data) return <LoadFailed error={instrument.error} />;
  if (!answered.data) return <LoadFailed error={answered.error} />;
  const session = answered.data.sessions.find((s) => s.session_id === sessionId);
  // A scheduled check follows no particular session: it asks how they have been going lately.
  return (
    <article>
      <h1>{session?.scheduled ? t("feedback.scheduledTitle") : inLanguage(instrument.data.name, i18n.language)}</h1>
      <p>{session?.scheduled ? t("feedback.scheduledIntro") : t("feedback.intro")}</p>
      {session?.feedback ? (
        <p role="status" className="panel">
          {t("feedback.already")}
        </p>
      ) : (
        <SessionFeedbackForm instrument={instrument.data} episodeId={episodeId} sessionId={sessionId} />
      )}
    </article>
  );
}
