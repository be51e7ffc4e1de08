import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { formatDate } from "../i18n";
import { Loading, PartFailed } from "../screens/common";
import { useClinicianT } from "./i18n";

/** The check-ins the client chose to share with their therapist: the progress service answers a clinician with the
 * shared ones only, so nothing private reaches the browser. */
export function CheckIns({ clientId }: { clientId: string }) {
  const { ct, language } = useClinicianT();
  const checkins = useQuery({
    queryKey: ["client-checkins", clientId],
    queryFn: () =>
      unwrap(api.GET("/api/v1/progress/clients/{client_id}/checkins", { params: { path: { client_id: clientId } } })),
  });
  return (
    <section aria-labelledby="client-checkins">
      <h2 id="client-checkins">{ct("client.checkins")}</h2>
      {checkins.isPending ? (
        <Loading />
      ) : !checkins.data ? (
        <PartFailed onRetry={() => void checkins.refetch()} />
      ) : checkins.data.length === 0 ? (
        <p>{ct("client.noCheckins")}</p>
      ) : (
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrolling table must be reachable by keyboard (WCAG 2.1.1)
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="checkins-caption">
          <table className="data-table">
            <caption id="checkins-caption">{ct("client.checkinsCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{ct("client.date")}</th>
                <th scope="col">{ct("client.mood")}</th>
                <th scope="col">{ct("client.note")}</th>
              </tr>
            </thead>
            <tbody>
              {checkins.data.map((c) => (
                <tr key={c.checkin_id}>
                  <th scope="row">{formatDate(c.occurred_at, language)}</th>
                  <td>{ct("client.moodOf", { mood: c.mood })}</td>
                  <td>{c.text ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
