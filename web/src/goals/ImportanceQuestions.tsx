import { useTranslation } from "react-i18next";
import { SCALE } from "../feedback/words";

export type FeelsOwn = "yes" | "partly" | "no";
export interface Importance {
  importance: number | null;
  feels_own: FeelsOwn | null;
  share: boolean;
}
export const NO_ANSWERS: Importance = { importance: null, feels_own: null, share: false };

/** What each party may add to their agreement, all optional: how much the goal matters to them (0-10), whether it
 * feels like the young person's own, and (the young person only) whether others may see these answers. */
export function ImportanceQuestions({
  value,
  onChange,
  isClient,
}: {
  value: Importance;
  onChange: (next: Importance) => void;
  isClient: boolean;
}) {
  const { t } = useTranslation();
  return (
    <details className="importance">
      <summary>{t("alignment.optional")}</summary>
      <fieldset className="question scale-question" aria-describedby="importance-hint">
        <legend>{t("alignment.importance")}</legend>
        <div className="scale" role="presentation">
          {SCALE.map((n) => (
            <label key={n} className="scale-choice">
              <input
                type="radio"
                name="importance"
                checked={value.importance === n}
                onChange={() => onChange({ ...value, importance: n })}
              />
              <span>{n}</span>
            </label>
          ))}
        </div>
        <p id="importance-hint" className="hint scale-ends">
          <span>{t("alignment.importanceLow")}</span>
          <span>{t("alignment.importanceHigh")}</span>
        </p>
      </fieldset>
      <fieldset className="question">
        <legend>{t(isClient ? "alignment.feelsOwnClient" : "alignment.feelsOwnOther")}</legend>
        {(["yes", "partly", "no"] as const).map((answer) => (
          <label key={answer} className="choice">
            <input
              type="radio"
              name="feels_own"
              checked={value.feels_own === answer}
              onChange={() => onChange({ ...value, feels_own: answer })}
            />
            {t(`alignment.own.${answer}`)}
          </label>
        ))}
      </fieldset>
      {isClient && (
        <label className="choice">
          <input type="checkbox" checked={value.share} onChange={(e) => onChange({ ...value, share: e.target.checked })} />
          {t("alignment.share")}
        </label>
      )}
    </details>
  );
}

/** The body fields for these answers: only what was given. */
export function importanceBody(value: Importance, isClient: boolean) {
  return {
    ...(value.importance === null ? {} : { importance: value.importance }),
    ...(value.feels_own === null ? {} : { feels_own: value.feels_own }),
    ...(isClient && value.share ? { share_answers_with_others: true } : {}),
  };
}

/** Shown on a goal whose parties' answers diverge: a prompt to talk, never a score of anyone. */
export function AlignmentPrompt({ diverges }: { diverges: boolean | undefined }) {
  const { t } = useTranslation();
  if (!diverges) return null;
  return (
    <section className="panel alignment-prompt" aria-labelledby="alignment-prompt">
      <h2 id="alignment-prompt">{t("alignment.promptTitle")}</h2>
      <p>{t("alignment.prompt")}</p>
    </section>
  );
}
