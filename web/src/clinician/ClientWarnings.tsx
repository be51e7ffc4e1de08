import type { components } from "../api/schema";
import { useClinicianT } from "./i18n";

type Warning = components["schemas"]["WarningOut"];

/** The client's early warnings, as on the caseload: a prompt to talk with a suggested next step, never a score of
 * anyone; a divergence links to its goal on this page. Clinicians only (the API sends none to anyone else). */
export function ClientWarnings({ warnings }: { warnings: Warning[] | null | undefined }) {
  const { ct } = useClinicianT();
  if (!warnings || warnings.length === 0) return null;
  return (
    <section aria-labelledby="client-warnings" className="early-warnings">
      <h2 id="client-warnings">{ct("client.warnings")}</h2>
      <ul>
        {warnings.map((w, i) => (
          <li key={`${w.kind}-${w.goal_id ?? w.episode_id ?? i}`} className="early-warning">
            {ct(`caseload.warning.${w.kind}`)} <strong>{ct(`caseload.step.${w.suggested_step}`)}</strong>
            {w.goal_id && (
              <>
                {" "}
                <a href={`#goal-${w.goal_id}`}>{ct("client.warningGoal")}</a>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
