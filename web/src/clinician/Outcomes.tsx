import { useQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { formatDate, formatNumber } from "../i18n";
import { LoadFailed, Loading } from "../screens/common";
import { ClinicianNav } from "./ClinicianNav";
import { useClinicianT } from "./i18n";
import { useSupervisedTeams } from "./TeamCaseload";

type Metric = components["schemas"]["MetricOut"];
interface Period {
  team_id: string;
  from: string;
  to: string;
}
/** The form: `team_id` null until the person types one (the first of their teams is shown meanwhile). */
type PeriodForm = Omit<Period, "team_id"> & { team_id: string | null };

const KNOWN_UNITS = new Set(["count", "days", "share", "points"]);

/** A metric's value as written: a share as a percentage; a suppressed one never as a number (nor as zero). */
export function useMetricText() {
  const { ct, language } = useClinicianT();
  return (metric: Metric, threshold: number): string => {
    if (metric.suppressed) return ct("outcomes.suppressed", { threshold });
    if (metric.value === null) return ct("outcomes.none");
    const shown = metric.unit === "share" ? metric.value * 100 : metric.value;
    const value = formatNumber(shown, language);
    return KNOWN_UNITS.has(metric.unit) ? ct(`outcomes.units.${metric.unit}`, { value }) : `${value} ${metric.unit}`;
  };
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Shares (0..1) that are not suppressed, as horizontal bars; the table below holds the same numbers. */
function SharesChart({ metrics, name }: { metrics: Metric[]; name: (m: Metric) => string }) {
  const { ct, language } = useClinicianT();
  const shares = metrics.filter((m) => m.unit === "share" && !m.suppressed && m.value !== null);
  const titleId = useId();
  if (shares.length === 0) return null;
  const row = 28;
  return (
    <figure className="chart">
      <svg role="img" aria-labelledby={titleId} viewBox={`0 0 600 ${shares.length * row}`} width="100%">
        <title id={titleId}>{ct("outcomes.chart")}</title>
        {shares.map((m, i) => (
          <g key={m.name} transform={`translate(0 ${i * row})`}>
            <text x="0" y="18" fontSize="13">
              {name(m)}
            </text>
            <rect x="330" y="6" width={220 * (m.value ?? 0)} height="16" className="bar" />
            <text x={336 + 220 * (m.value ?? 0)} y="18" fontSize="13">
              {formatNumber((m.value ?? 0) * 100, language)}%
            </text>
          </g>
        ))}
      </svg>
      <figcaption>{ct("outcomes.chart")}</figcaption>
    </figure>
  );
}

/** Supervisors: a team's service outcomes over a date range, as the reporting service computes them. */
export default function Outcomes() {
  const { ct, language } = useClinicianT();
  const metricText = useMetricText();
  const today = new Date();
  const [form, setForm] = useState<PeriodForm>({
    team_id: null,
    from: isoDay(new Date(today.getFullYear(), today.getMonth() - 3, today.getDate())),
    to: isoDay(today),
  });
  const [asked, setAsked] = useState<Period | null>(null);
  const outcomes = useQuery({
    queryKey: ["outcomes", asked],
    enabled: asked !== null,
    queryFn: () => unwrap(api.GET("/api/v1/reporting/outcomes", { params: { query: asked! } })),
  });
  // The supervisor's own teams (from the reporting service) are offered, the first filled in until another is typed;
  // the service decides whether a typed team is theirs.
  const teams = useSupervisedTeams();
  const teamIds = teams.data?.team_ids ?? [];
  const teamId = form.team_id ?? teamIds[0] ?? "";
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setAsked({ ...form, team_id: teamId.trim() });
  };
  const name = (m: Metric) => (ct(`outcomes.names.${m.name}`, { defaultValue: m.name }));
  const csv = asked ? `/api/v1/reporting/outcomes.csv?${new URLSearchParams({ ...asked }).toString()}` : null;

  return (
    <article className="clinician wide">
      <ClinicianNav />
      <h1>{ct("outcomes.title")}</h1>
      {teams.data && teamIds.length === 0 && <p>{ct("team.none")}</p>}
      <form onSubmit={submit} className="outcomes-form">
        <label>
          {ct("outcomes.team")}
          <input
            required
            list="supervised-teams"
            value={teamId}
            autoComplete="off"
            onChange={(e) => setForm({ ...form, team_id: e.target.value })}
          />
          <datalist id="supervised-teams">
            {teamIds.map((id, i) => (
              <option key={id} value={id} label={ct("team.option", { number: i + 1, id: id.slice(0, 8) })} />
            ))}
          </datalist>
        </label>
        <label>
          {ct("outcomes.from")}
          <input type="date" required value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </label>
        <label>
          {ct("outcomes.to")}
          <input type="date" required value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </label>
        <button type="submit">{ct("outcomes.show")}</button>
      </form>
      {asked !== null &&
        (outcomes.isPending ? (
          <Loading />
        ) : !outcomes.data ? (
          <LoadFailed error={outcomes.error} />
        ) : (
          <>
            <SharesChart metrics={outcomes.data.metrics} name={name} />
            {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrolling table must be reachable by keyboard (WCAG 2.1.1) */}
            <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="outcomes-caption">
              <table className="data-table">
                <caption id="outcomes-caption">
                  {ct("outcomes.caption", {
                    from: formatDate(outcomes.data.first_day, language),
                    to: formatDate(outcomes.data.last_day, language),
                  })}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{ct("outcomes.metric")}</th>
                    <th scope="col">{ct("outcomes.value")}</th>
                    <th scope="col">{ct("outcomes.clients")}</th>
                  </tr>
                </thead>
                <tbody>
                  {outcomes.data.metrics.map((m) => (
                    <tr key={m.name} className={m.suppressed ? "suppressed" : undefined}>
                      <th scope="row">{name(m)}</th>
                      <td>{metricText(m, outcomes.data.suppression_threshold)}</td>
                      <td>
                        {m.suppressed || m.clients === null
                          ? ct("outcomes.suppressed", { threshold: outcomes.data.suppression_threshold })
                          : formatNumber(m.clients, language)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {csv && (
              <p>
                <a href={csv} download="service-outcomes.csv">
                  {ct("outcomes.download")}
                </a>
              </p>
            )}
          </>
        ))}
    </article>
  );
}
