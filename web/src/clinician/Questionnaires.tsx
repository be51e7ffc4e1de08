import type { components } from "../api/schema";
import { formatDate, formatNumber } from "../i18n";
import { useClinicianT } from "./i18n";
import { BANDS, QuestionnaireChart } from "./QuestionnaireChart";

type Score = components["schemas"]["QuestionnaireScore"];

/** PHQ-9 and GAD-7 over time with their severity bands and, from the second score of each on, the change from the
 * first and whether the reporting service counts it as reliable (its own thresholds, the service outcomes' ones):
 * a chart per instrument, then every score in a table (the charts' text alternative). */
export function Questionnaires({ scores }: { scores: Score[] }) {
  const { ct, language } = useClinicianT();
  const change = (s: Score) => {
    if (s.change_from_first === null || s.change_from_first === undefined) return ct("client.first");
    const sign = s.change_from_first > 0 ? "+" : "";
    return `${sign}${formatNumber(s.change_from_first, language)}`;
  };
  return (
    <section aria-labelledby="client-questionnaires">
      <h2 id="client-questionnaires">{ct("client.questionnaires")}</h2>
      <div className="questionnaire-charts">
        {Object.keys(BANDS).map((instrument) => (
          <QuestionnaireChart
            key={instrument}
            instrument={instrument}
            scores={scores.filter((s) => s.instrument === instrument)}
          />
        ))}
      </div>
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrolling table must be reachable by keyboard (WCAG 2.1.1) */}
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="questionnaires-caption">
        <table className="data-table">
          <caption id="questionnaires-caption">{ct("client.questionnairesCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{ct("client.date")}</th>
              <th scope="col">{ct("client.instrument")}</th>
              <th scope="col">{ct("client.total")}</th>
              <th scope="col">{ct("client.band")}</th>
              <th scope="col">{ct("client.change")}</th>
              <th scope="col">{ct("client.reliableChange")}</th>
            </tr>
          </thead>
          <tbody>
            {scores.map((q) => (
              <tr key={q.response_id}>
                <th scope="row">{formatDate(q.at, language)}</th>
                <td>{q.instrument}</td>
                <td>{q.total}</td>
                <td>{ct(`client.bands.${q.severity}`, { defaultValue: q.severity })}</td>
                <td>{change(q)}</td>
                <td>{q.reliable_change ? ct(`client.reliable.${q.reliable_change}`) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
