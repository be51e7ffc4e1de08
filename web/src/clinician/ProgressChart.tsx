import { useId } from "react";
import type { components } from "../api/schema";
import { formatDate, formatNumber } from "../i18n";
import { useClinicianT } from "./i18n";

type GoalReport = components["schemas"]["GoalReport"];

const W = 560;
const H = 200;
const PAD = 36;

/** A goal's recorded values over time, with the baseline, the target and each milestone's threshold drawn; the
 * numbers themselves are in the table that follows (the chart's text alternative). */
export function ProgressChart({ goal }: { goal: GoalReport }) {
  const { ct, language } = useClinicianT();
  const titleId = useId();
  const points = goal.entries.filter((e) => e.value !== null);
  const levels = [
    ...points.map((p) => p.value!),
    ...(goal.baseline === null ? [] : [goal.baseline]),
    ...(goal.target === null ? [] : [goal.target]),
    ...goal.milestones.flatMap((m) => (m.threshold === null ? [] : [m.threshold])),
  ];
  if (points.length === 0) return <p>{ct("client.noEntries")}</p>;
  const low = Math.min(...levels);
  const high = Math.max(...levels) === low ? low + 1 : Math.max(...levels);
  const times = points.map((p) => new Date(p.at).getTime());
  const first = Math.min(...times);
  const span = Math.max(...times) - first || 1;
  const x = (t: number) => PAD + ((t - first) / span) * (W - 2 * PAD);
  const y = (v: number) => H - PAD - ((v - low) / (high - low)) * (H - 2 * PAD);
  const line = (value: number, className: string, label: string) => (
    <g className={className}>
      <line x1={PAD} x2={W - PAD} y1={y(value)} y2={y(value)} />
      <text x={W - PAD + 4} y={y(value) + 4} fontSize="11">
        {label}
      </text>
    </g>
  );
  return (
    <figure className="chart">
      <svg role="img" aria-labelledby={titleId} viewBox={`0 0 ${W + 60} ${H}`} width="100%">
        <title id={titleId}>
          {ct("client.chartTitle", { count: points.length, latest: formatNumber(points.at(-1)!.value!, language) })}
        </title>
        {goal.baseline !== null && line(goal.baseline, "baseline", ct("client.baseline"))}
        {goal.target !== null && line(goal.target, "target", ct("client.target"))}
        {goal.milestones.map(
          (m) => m.threshold !== null && <g key={m.milestone_id}>{line(m.threshold, "milestone", `#${m.position}`)}</g>,
        )}
        <polyline
          className="series"
          fill="none"
          points={points.map((p) => `${x(new Date(p.at).getTime())},${y(p.value!)}`).join(" ")}
        />
        {points.map((p) => (
          <circle key={p.entry_id} className="point" r="4" cx={x(new Date(p.at).getTime())} cy={y(p.value!)} />
        ))}
      </svg>
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrolling table must be reachable by keyboard (WCAG 2.1.1) */}
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby={`${titleId}-entries`}>
        <table className="data-table">
          <caption id={`${titleId}-entries`}>{ct("client.entriesCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{ct("client.date")}</th>
              <th scope="col">{ct("client.value")}</th>
              <th scope="col">{ct("client.recordedBy")}</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.entry_id}>
                <th scope="row">{formatDate(p.at, language)}</th>
                <td>{formatNumber(p.value!, language)}</td>
                <td>{p.recorded_by_role ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
