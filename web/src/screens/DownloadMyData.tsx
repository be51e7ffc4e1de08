import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";

type Export = components["schemas"]["ExportPublic"];

/** How often the progress of an export being assembled is asked for: each service adds its part within seconds. */
const POLL_MS = 2000;

/** "Download my data": a subject access export of everything Accord holds about the young person. The goals
 * service records the request; each service assembles its part; this shows parts ready out of parts expected, then
 * one link to the whole export as a zip (built by the gateway from the parts) and a download link per part (each
 * served by its own service, only to the person who asked). After a reload it finds
 * the person's newest export again (`GET /goals/exports`) and goes on showing its progress or links. */
export function DownloadMyData({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const [started, setStarted] = useState<Export | null>(null);
  // The newest export this person asked for, so that one in progress (or ready) is not forgotten on a reload.
  const latest = useQuery({
    queryKey: ["exports", clientId],
    queryFn: () => unwrap(api.GET("/api/v1/goals/exports", { params: { query: { client_id: clientId } } })),
  });
  const start = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/goals/exports", { body: { client_id: clientId } })),
    onSuccess: setStarted,
  });
  const followed = started ?? latest.data?.items[0] ?? null;
  const progress = useQuery({
    queryKey: ["export", followed?.export_id],
    enabled: followed !== null,
    queryFn: () =>
      unwrap(api.GET("/api/v1/goals/exports/{export_id}", { params: { path: { export_id: followed!.export_id } } })),
    refetchInterval: (query) => (query.state.data?.ready ? false : POLL_MS),
  });
  const current = progress.data ?? followed;
  return (
    <section className="panel" aria-labelledby="export-title">
      <h2 id="export-title">{t("export.title")}</h2>
      <p className="hint">{t("export.hint")}</p>
      <button type="button" disabled={start.isPending || (current !== null && !current.ready)} onClick={() => start.mutate()}>
        {current?.ready ? t("export.again") : t("export.start")}
      </button>
      {start.isError && <p role="alert">{t("common.error")}</p>}
      {current && (
        <>
          <label className="export-progress">
            {t("export.progressLabel")}
            <progress max={current.parts_expected} value={current.parts_ready} />
          </label>
          <p role="status">
            {current.ready
              ? t("export.ready")
              : t("export.progress", { ready: current.parts_ready, expected: current.parts_expected })}
          </p>
          {current.ready && (
            <p>
              <a
                className="button"
                href={`/api/v1/exports/archive?export_id=${encodeURIComponent(current.export_id)}`}
                download
              >
                {t("export.archive")}
              </a>
            </p>
          )}
          {current.ready && <p id="export-parts">{t("export.parts")}</p>}
          {current.ready && (
            <ul aria-labelledby="export-parts">
              {current.parts.map((part) => (
                <li key={part.service}>
                  <a href={part.href} download={`accord-${part.service}-${current.export_id}.json`}>
                    {t("export.part", { part: t(`export.service.${part.service}`, { defaultValue: part.service }), count: part.records ?? 0 })}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
