import { useId } from "react";
import type { components } from "../api/schema";
import { formatDate } from "../i18n";
import { useClinicianT } from "./i18n";

type Score = components["schemas"]["QuestionnaireScore"];

/** Each instrument's published scale: its severity bands (lowest score of each) and the caseness threshold NHS
 * Talking Therapies uses. Display only: the band and reliable change of each score are the reporting service's. */
export const SCALES: Record<string, { max: number; bands: [string, number][]; caseness: number }> = {
  "PHQ-9": {
    max: 27,
    bands: [["minimal", 0], ["mild", 5], ["moderate", 10], ["moderately_severe", 15], ["severe", 20]],
    caseness: 10,
  },
  "GAD-7": { max: 21, bands: [["minimal", 0], ["mild", 5], ["moderate", 10], ["severe", 15]], caseness: 8 },
};

// Drawn at about a phone's width, so its text stays readable there; a wider screen scales it up to 40rem.
const W = 360;
const H = 240;
const PAD = 16;

/** One instrument's scores over time, its severity bands drawn behind, the caseness line, and each score the
 * service counts as a reliable change from the first marked with its name; the numbers are in the table that
 * follows (the chart's text alternative). */
export function QuestionnaireChart({ instrument, scores }: { instrument: string; scores: Score[] }) {
  const { ct, language } = useClinicianT();
  const titleId = useId();
  const scale = SCALES[instrument];
  if (!scale || scores.length === 0) return null;
  const times = scores.map((s) => new Date(s.at).getTime());
  const first = Math.min(...times);
  const span = Math.max(...times) - first || 1;
  const inset = PAD + 110; // the points start right of the bands' names (the longest, "Moderately severe")
  const x = (t: number) => (scores.length === 1 ? (inset + W - PAD) / 2 : inset + ((t - first) / span) * (W - PAD - 12 - inset));
  const y = (v: number) => H - PAD - (v / scale.max) * (H - 2 * PAD);
  const latest = scores.at(-1)!;
  const title = ct("client.questionnaireChartTitle", {
    instrument,
    count: scores.length,
    latest: latest.total,
    band: ct(`client.bands.${latest.severity}`, { defaultValue: latest.severity }),
    date: formatDate(latest.at, language),
  });
  return (
    <figure className="chart questionnaire-chart" data-instrument={instrument}>
      <svg role="img" aria-labelledby={titleId} viewBox={`0 0 ${W} ${H}`} width="100%">
        <title id={titleId}>{title}</title>
        {scale.bands.map(([band, low], i) => {
          const high = scale.bands[i + 1]?.[1] ?? scale.max + 1;
          const top = y(Math.min(high, scale.max)), bottom = y(low);
          return (
            <g key={band} className={`band band-${i}`} data-band={band}>
              <rect x={PAD} width={W - 2 * PAD} y={top} height={bottom - top} />
              {/* Each band named inside it: colour is never the only way to tell them apart. */}
              <text x={PAD + 4} y={(top + bottom) / 2 + 4} fontSize="11" className="band-label">
                {ct(`client.bands.${band}`)}
              </text>
            </g>
          );
        })}
        <g className="caseness">
          <line x1={PAD} x2={W - PAD} y1={y(scale.caseness)} y2={y(scale.caseness)} />
          <text x={W - PAD - 4} y={y(scale.caseness) - 4} fontSize="11" textAnchor="end">
            {ct("client.caseness", { threshold: scale.caseness })}
          </text>
        </g>
        <polyline
          className="series"
          points={scores.map((s) => `${x(new Date(s.at).getTime())},${y(s.total)}`).join(" ")}
        />
        {scores.map((s) => {
          const cx = x(new Date(s.at).getTime()), cy = y(s.total);
          const reliable = s.reliable_change === "improvement" || s.reliable_change === "deterioration";
          return (
            <g key={s.response_id} className={reliable ? `point-${s.reliable_change}` : undefined}>
              {reliable ? (
                <rect className="point reliable" x={cx - 5} y={cy - 5} width="10" height="10" />
              ) : (
                <circle className="point" r="4" cx={cx} cy={cy} />
              )}
              {reliable && (
                // Named on the side the line does not come from (below a fall, above a rise), and inside the plot.
                <text
                  x={cx > W / 2 ? cx + 6 : cx - 6}
                  y={s.reliable_change === "improvement" ? cy + 20 : cy - 10}
                  fontSize="11"
                  textAnchor={cx > W / 2 ? "end" : "start"}
                  className="reliable-label"
                >
                  {ct(`client.reliable.${s.reliable_change}`)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
