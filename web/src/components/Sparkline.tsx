import { useId } from "react";
import { useTranslation } from "react-i18next";
import { formatNumber } from "../i18n";

/** A small line of the values recorded so far, drawn against the goal's scale, with the target marked.
 * The SVG is decorative for assistive technology; the sentence beside it says the same in words. */
export function Sparkline(props: {
  values: number[];
  min: number;
  max: number;
  target?: number;
  label: string;
}) {
  const { t } = useTranslation();
  const descId = useId();
  const { values, min, max, target } = props;
  const width = 160;
  const height = 40;
  const span = max - min || 1;
  const y = (v: number) => height - 4 - ((v - min) / span) * (height - 8);
  const x = (i: number) => (values.length <= 1 ? width / 2 : 4 + (i * (width - 8)) / (values.length - 1));
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const summary =
    values.length === 0
      ? t("chart.empty")
      : t("chart.summary", {
          count: values.length,
          first: formatNumber(values[0]!),
          latest: formatNumber(values[values.length - 1]!),
          target: target === undefined ? "" : formatNumber(target),
        });
  return (
    <figure className="sparkline" aria-labelledby={descId}>
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} aria-hidden="true" focusable="false">
        {target !== undefined && (
          <line x1="0" x2={width} y1={y(target)} y2={y(target)} className="sparkline-target" />
        )}
        {values.length > 1 && <polyline points={points} className="sparkline-line" />}
        {values.length > 0 && (
          <circle cx={x(values.length - 1)} cy={y(values[values.length - 1]!)} r="3" className="sparkline-dot" />
        )}
      </svg>
      <figcaption id={descId}>
        <span className="visually-hidden">{props.label}: </span>
        {summary}
      </figcaption>
    </figure>
  );
}
