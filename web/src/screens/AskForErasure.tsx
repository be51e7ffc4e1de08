import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client";
import { useErasureRequests } from "../api/erasures";
import type { components } from "../api/schema";
import { ShowMore } from "../components/ShowMore";
import { formatDate } from "../i18n";

type Erasure = components["schemas"]["ErasurePublic"];

/** Where a request stands, in the young person's words (staff may have recorded it for them, so it never says who
 * asked): waiting, agreed (records hidden, app data erased), not going ahead, or records visible again. */
function Standing({ request }: { request: Erasure }) {
  const { t } = useTranslation();
  const when = (iso: string | null | undefined) => (iso ? formatDate(iso) : "—");
  const asked = when(request.requested_at);
  if (request.lifted_at)
    return <>{t("erasure.status.lifted", { when: asked, lifted: when(request.lifted_at) })}</>;
  if (request.decision === "approved")
    return <>{t("erasure.status.approved", { when: asked, decided: when(request.decided_at) })}</>;
  if (request.decision === "refused")
    return <>{t("erasure.status.refused", { when: asked, decided: when(request.decided_at) })}</>;
  return <>{t("erasure.status.waiting", { when: asked })}</>;
}

/** "Ask for my data to be erased", for the young person themself, beside "Download my data". It says plainly what
 * would happen (health records kept but hidden for as long as the law says, app-only data erased, the service
 * decides, not everything disappears), asks once more before sending, and shows where each request about them
 * stands. The goals service lets a client ask about themself with no reference (`POST /goals/erasure-requests`). */
export function AskForErasure({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const requests = useErasureRequests(clientId);
  const ask = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/goals/erasure-requests", { body: { client_id: clientId } })),
    onSuccess: () => {
      setConfirming(false);
      void queries.invalidateQueries({ queryKey: ["erasure-requests", clientId] });
    },
  });
  const items = requests.items;
  // One request at a time: while one waits for a decision, asking again would only add a second to decide.
  const waiting = items.some((r) => r.decision === null || r.decision === undefined);
  return (
    <section className="panel" aria-labelledby="erasure-title">
      <h2 id="erasure-title">{t("erasure.title")}</h2>
      <p id="erasure-intro">{t("erasure.intro")}</p>
      <ul aria-labelledby="erasure-intro">
        <li>{t("erasure.kept")}</li>
        <li>{t("erasure.erased")}</li>
        <li>{t("erasure.decided")}</li>
      </ul>
      <p>{t("erasure.notEverything")}</p>
      <p className="hint">{t("erasure.talk")}</p>
      {items.length > 0 && (
        <>
          <h3 id="erasure-yours">{t("erasure.yours")}</h3>
          <ul aria-labelledby="erasure-yours">
            {items.map((r) => (
              <li key={r.request_id}>
                <Standing request={r} />
              </li>
            ))}
          </ul>
          <ShowMore list={requests} label={t("erasure.more")} />
        </>
      )}
      <p role="status">{ask.isSuccess ? t("erasure.sent") : ""}</p>
      {ask.isError && <p role="alert">{t("common.error")}</p>}
      {requests.isError && !requests.isFetchNextPageError && <p role="alert">{t("erasure.loadFailed")}</p>}
      {confirming ? (
        <div className="confirm" role="group" aria-labelledby="erasure-confirm">
          <h3 id="erasure-confirm">{t("erasure.confirmTitle")}</h3>
          <p>{t("erasure.confirmText")}</p>
          <button type="button" disabled={ask.isPending} onClick={() => ask.mutate()}>
            {t("erasure.confirmYes")}
          </button>{" "}
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            {t("erasure.confirmBack")}
          </button>
        </div>
      ) : (
        !waiting &&
        requests.isSuccess && (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              ask.reset();
              setConfirming(true);
            }}
          >
            {t("erasure.start")}
          </button>
        )
      )}
    </section>
  );
}
