import { useTranslation } from "react-i18next";
import { useClientExport } from "../api/exports";
import { ExportProgress } from "../components/ExportProgress";

/** "Download my data": a subject access export of everything Accord holds about the young person. The goals
 * service records the request; each service assembles its part; this shows parts ready out of parts expected, then
 * one link to the whole export as a zip (built by the gateway from the parts) and a download link per part (each
 * served by its own service, only to the person who asked). After a reload it finds
 * the person's newest export again (`GET /goals/exports`) and goes on showing its progress or links. */
export function DownloadMyData({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const { current, start, inProgress } = useClientExport(clientId);
  return (
    <section className="panel" aria-labelledby="export-title">
      <h2 id="export-title">{t("export.title")}</h2>
      <p className="hint">{t("export.hint")}</p>
      <button type="button" disabled={start.isPending || inProgress} onClick={() => start.mutate(undefined)}>
        {current?.ready ? t("export.again") : t("export.start")}
      </button>
      {start.isError && <p role="alert">{t("common.error")}</p>}
      {current && (
        <>
          <ExportProgress
            current={current}
            label={t("export.progressLabel")}
            progress={t("export.progress", { ready: current.parts_ready, expected: current.parts_expected })}
            ready={t("export.ready")}
            download={t("export.archive")}
          />
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
