import { archiveHref, type Export } from "../api/exports";

/** A subject access export's progress bar, its announced status and, once ready, the archive's download link. The
 * young person's "Download my data" and the staff "Data rights" section share it, each with its own words. */
export function ExportProgress({
  current,
  label,
  progress,
  ready,
  download,
}: {
  current: Export;
  label: string;
  progress: string;
  ready: string;
  download: string;
}) {
  return (
    <>
      <label className="export-progress">
        {label}
        <progress max={current.parts_expected} value={current.parts_ready} />
      </label>
      <p role="status">{current.ready ? ready : progress}</p>
      {current.ready && (
        <p>
          <a className="button" href={archiveHref(current.export_id)} download>
            {download}
          </a>
        </p>
      )}
    </>
  );
}
