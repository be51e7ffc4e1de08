import { useId } from "react";
import type { components } from "../api/schema";
import { formatDate } from "../i18n";
import { useClinicianT } from "./i18n";

type Score = components["schemas"]["QuestionnaireScore"];

/** Each instrument's severity bands as the instrument defines them (its scoring guide, not a service setting): the
 * band each score falls in comes from the reporting service; these only draw the background. */
export const BANDS: Record<string, { band: string; from: number; to: number }[]> = {
  "PHQ-9": [
    { band: "minimal", from: 0, to: 4 },
    { band: "mild", from: 5, to: 9 },
    { band: "moderate", from: 10, to: 14 },
    { band: "moderately_severe", from: 15, to: 19 },
    { band: "severe", from: 20, to: 27 },
  ],
  "GAD-7": [
    { band: "minimal", from: 0, to: 4 },
    { band: "mild", from: 5, to: 9 },
    { band: "moderate", from: 10, to: 14 },
    { band: "severe", from: 15, to: 21 },
  ],
};

// A viewBox about a phone's width, so its text stays legible there; wider screens scale it up to the CSS max-width.
const W = 420;
const H = 230;
const LEFT = 28;
const RIGHT = 300; // the band names sit to the right of the plot, so they never cover a point
const TOP = 10;
const BOTTOM = 200;

/** One instrument's scores over time on its severity bands, with the caseness line and, at each score the service
 * judged against the first, a marker for reliable improvement (a triangle pointing down: the score fell) or
 * deterioration (pointing up). Shapes and words carry the meaning, colour only repeats it; the numbers are in the
 * questionnaire table that follows (the chart's text alternative). */
export function QuestionnaireChart({ instrument, scores }: { instrument: string; scores: Score[] }) {
  const { ct, language } = useClinicianT();
  const titleId = useId();
  const bands = BANDS[instrument];
  if (!bands || scores.length === 0) return null;
  const max = bands.at(-1)!.to;
  const times = scores.map((s) => new Date(s.at).getTime());
  const first = Math.min(...times);
  const span = Math.max(...times) - first;
  const x = (t: number) => (span === 0 ? (LEFT + RIGHT) / 2 : LEFT + ((t - first) / span) * (RIGHT - LEFT));
  const y = (v: number) => BOTTOM - (v / max) * (BOTTOM - TOP);
  const latest = scores.at(-1)!;
  const caseness = latest.caseness_threshold ?? null;
  const reliable = latest.reliable_change_threshold ?? null;
  const bandName = (band: string) => ct(`client.bands.${band}`, { defaultValue: band });
  return (
    <figure className="chart questionnaire-chart">
      <svg role="img" aria-labelledby={titleId} viewBox={`0 0 ${W} ${H}`} width="100%">
        <title id={titleId}>
          {ct("client.questionnaireChartTitle", {
            instrument,
            count: scores.length,
            latest: latest.total,
            band: bandName(latest.severity),
          })}
        </title>
        {bands.map((b, i) => {
          // A band reaches up to the next band's start, so the bands meet without gaps.
          const top = y(bands[i + 1]?.from ?? max);
          return (
            <g key={b.band} className={`band band-${i}`} data-band={b.band}>
              <rect x={LEFT} width={RIGHT - LEFT} y={top} height={y(b.from) - top} />
              <text x={RIGHT + 6} y={(y(b.from) + top) / 2 + 4} fontSize="11">
                {bandName(b.band)}
              </text>
              <text className="tick" x={LEFT - 4} y={y(b.from) + 4} fontSize="10" textAnchor="end">
                {b.from}
              </text>
            </g>
          );
        })}
        <text className="tick" x={LEFT - 4} y={y(max) + 8} fontSize="10" textAnchor="end">
          {max}
        </text>
        {caseness !== null && (
          <g className="caseness">
            <line x1={LEFT} x2={RIGHT} y1={y(caseness)} y2={y(caseness)} />
            <text x={LEFT + 4} y={y(caseness) - 4} fontSize="11">
              {ct("client.caseness", { threshold: caseness })}
            </text>
          </g>
        )}
        <polyline className="series" fill="none" points={scores.map((s, i) => `${x(times[i]!)},${y(s.total)}`).join(" ")} />
        {scores.map((s, i) => (
          <ScoreMark key={s.response_id} score={s} cx={x(times[i]!)} cy={y(s.total)} />
        ))}
        <text className="tick" x={LEFT} y={H - 8} fontSize="10">
          {formatDate(scores[0]!.at, language)}
        </text>
        {scores.length > 1 && (
          <text className="tick" x={RIGHT} y={H - 8} fontSize="10" textAnchor="end">
            {formatDate(latest.at, language)}
          </text>
        )}
      </svg>
      <figcaption>
        <ul className="chart-legend">
          <li>
            <Glyph kind="improvement" /> {ct("client.reliable.improvement")}
          </li>
          <li>
            <Glyph kind="deterioration" /> {ct("client.reliable.deterioration")}
          </li>
          {caseness !== null && reliable !== null && (
            <li>{ct("client.thresholds", { instrument, caseness, reliable })}</li>
          )}
        </ul>
      </figcaption>
    </figure>
  );
}

function ScoreMark({ score, cx, cy }: { score: Score; cx: number; cy: number }) {
  const { ct } = useClinicianT();
  if (score.reliable_change === "improvement" || score.reliable_change === "deterioration") {
    return (
      // The word sits beside the marker on the side towards the plot's middle, clear of the band names at the right.
      <g className={`reliable-${score.reliable_change}`} data-response={score.response_id} transform={`translate(${cx} ${cy})`}>
        <path d={triangle(score.reliable_change)} />
        <text x={cx > (LEFT + RIGHT) / 2 ? -10 : 10} y={score.reliable_change === "improvement" ? 16 : -8} fontSize="10" textAnchor={cx > (LEFT + RIGHT) / 2 ? "end" : "start"}>
          {ct(`client.reliableShort.${score.reliable_change}`)}
        </text>
      </g>
    );
  }
  return <circle className="point" r="4" cx={cx} cy={cy} />;
}

/** Down for improvement (the score fell), up for deterioration: the shape tells them apart without colour. */
function triangle(kind: "improvement" | "deterioration"): string {
  return kind === "improvement" ? "M -7 -5 L 7 -5 L 0 7 Z" : "M -7 5 L 7 5 L 0 -7 Z";
}

function Glyph({ kind }: { kind: "improvement" | "deterioration" }) {
  return (
    <svg className={`reliable-${kind}`} viewBox="-8 -8 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={triangle(kind)} />
    </svg>
  );
}
