import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import { inLanguage } from "../feedback/words";
import { formatDate, formatNumber } from "../i18n";
import { FeedbackChart } from "./FeedbackChart";
import { useClinicianT } from "./i18n";

export const feedbackKey = (episodeId: string) => ["session-feedback", episodeId] as const;

/** One episode's sessions and the young person's feedback on each (with their private comment: the therapist is
 * one of the two people who see it), the trend, and the button that marks today's session held, which invites the
 * young person to the check. */
export function SessionFeedback({ episodeId }: { episodeId: string }) {
  const { ct, language } = useClinicianT();
  const client = useQueryClient();
  const feedback = useQuery({
    queryKey: feedbackKey(episodeId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/episodes/{episode_id}/session-feedback", { params: { path: { episode_id: episodeId } } })),
  });
  const hold = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/episodes/{episode_id}/sessions", {
          params: { path: { episode_id: episodeId } },
          body: { session_id: crypto.randomUUID() },
        }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: feedbackKey(episodeId) }),
  });
  const headingId = `feedback-${episodeId}`;
  const data = feedback.data;
  return (
    <section aria-labelledby={headingId} className="session-feedback">
      <h2 id={headingId}>{ct("feedback.title")}</h2>
      <div className="actions">
        <button type="button" className="secondary" disabled={hold.isPending} onClick={() => hold.mutate()}>
          {ct("feedback.markHeld")}
        </button>
      </div>
      <p role="status">
        {hold.isSuccess ? ct("feedback.invited") : hold.error instanceof ApiError ? (hold.error.problem.detail ?? "") : ""}
      </p>
      {!data ? null : data.sessions.length === 0 ? (
        <p>{ct("feedback.none")}</p>
      ) : (
        <>
          {data.trend && <p>{ct(`feedback.trend.${data.trend}`)}</p>}
          <FeedbackChart sessions={data.sessions} />
          {/* A column per question: wider than a phone, so it scrolls inside its own region, never the page. */}
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrolling table must be reachable by keyboard (WCAG 2.1.1) */}
          <div className="table-scroll" tabIndex={0} role="region" aria-labelledby={`${headingId}-answers`}>
            <table className="data-table feedback-table">
              <caption id={`${headingId}-answers`}>{inLanguage(data.instrument.name, language)}</caption>
              <thead>
                <tr>
                  <th scope="col">{ct("feedback.session")}</th>
                  {data.instrument.items.map((item) => (
                    <th key={item.key} scope="col">
                      {inLanguage(item.question, language)}
                    </th>
                  ))}
                  <th scope="col">{ct("feedback.comment")}</th>
                </tr>
              </thead>
              <tbody>
                {data.sessions.map((s) => (
                  <tr key={s.session_id}>
                    <th scope="row">
                      {s.scheduled
                        ? ct("feedback.scheduled", { date: formatDate(s.held_at, language) })
                        : formatDate(s.held_at, language)}
                    </th>
                    {s.feedback ? (
                      <>
                        {data.instrument.items.map((item) => (
                          <td key={item.key}>{formatNumber(s.feedback!.scores[item.key] ?? 0, language)}</td>
                        ))}
                        <td>{s.feedback.comment ?? "—"}</td>
                      </>
                    ) : (
                      <td colSpan={data.instrument.items.length + 1}>{ct("feedback.waiting")}</td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {!data.instrument.validated && <p className="hint">{ct("feedback.notValidated")}</p>}
        </>
      )}
    </section>
  );
}
