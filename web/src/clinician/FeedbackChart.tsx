import { useId } from "react";
import type { components } from "../api/schema";
import { formatDate } from "../i18n";
import { useClinicianT } from "./i18n";

type Session = components["schemas"]["SessionWithFeedback"];

// As QuestionnaireChart: a viewBox about a phone's width, scaled up on wider screens.
const W = 420;
const H = 200;
const LEFT = 28;
const RIGHT = 400;
const TOP = 10;
const BOTTOM = 170;
const MAX = 10;

/** The young person's mean answer per session (0-10) over time. A line and points, no bands and no colour code:
 * the feedback is theirs to give, never a grade of them or of the therapist. The numbers are in the table that
 * follows (the chart's text alternative). */
export function FeedbackChart({ sessions }: { sessions: Session[] }) {
  const { ct, language } = useClinicianT();
  const titleId = useId();
  const answered = sessions.filter((s) => s.feedback);
  if (answered.length === 0) return null;
  const times = answered.map((s) => new Date(s.held_at).getTime());
  const first = Math.min(...times);
  const span = Math.max(...times) - first;
  const x = (t: number) => (span === 0 ? (LEFT + RIGHT) / 2 : LEFT + ((t - first) / span) * (RIGHT - LEFT));
  const y = (v: number) => BOTTOM - (v / MAX) * (BOTTOM - TOP);
  const latest = answered.at(-1)!;
  return (
    <figure className="chart feedback-chart">
      <svg role="img" aria-labelledby={titleId} viewBox={`0 0 ${W} ${H}`} width="100%">
        <title id={titleId}>
          {ct("feedback.chartTitle", { count: answered.length, latest: latest.feedback!.mean })}
        </title>
        {[0, 5, 10].map((tick) => (
          <g key={tick}>
            <line className="gridline" x1={LEFT} x2={RIGHT} y1={y(tick)} y2={y(tick)} />
            <text className="tick" x={LEFT - 4} y={y(tick) + 4} fontSize="10" textAnchor="end">
              {tick}
            </text>
          </g>
        ))}
        <polyline
          className="series"
          fill="none"
          points={answered.map((s, i) => `${x(times[i]!)},${y(s.feedback!.mean)}`).join(" ")}
        />
        {answered.map((s, i) => (
          <circle key={s.session_id} className="point" r="4" cx={x(times[i]!)} cy={y(s.feedback!.mean)} />
        ))}
        <text className="tick" x={LEFT} y={H - 8} fontSize="10">
          {formatDate(answered[0]!.held_at, language)}
        </text>
        {answered.length > 1 && (
          <text className="tick" x={RIGHT} y={H - 8} fontSize="10" textAnchor="end">
            {formatDate(latest.held_at, language)}
          </text>
        )}
      </svg>
    </figure>
  );
}
