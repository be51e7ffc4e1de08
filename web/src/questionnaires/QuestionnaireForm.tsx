import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import type { Instrument } from "../api/types";
import { FormErrors } from "../components/Field";
import { HelpNow } from "../safety/HelpNow";
import { ANSWERS, itemKey, ITEMS, needsSupport } from "./instruments";

type Outcome = { support: boolean; saved: boolean } | null;

/** One questionnaire, every item a group of four answers. The result is never shown as a score or a label: the
 * person is thanked, and offered help at once when the service (or, offline, item 9 itself) says so. */
export function QuestionnaireForm({ instrument, tenantId }: { instrument: Instrument; tenantId: string | undefined }) {
  const { t } = useTranslation();
  const count = ITEMS[instrument];
  const [answers, setAnswers] = useState<(number | null)[]>(() => Array.from({ length: count }, () => null));
  const [missing, setMissing] = useState<number[]>([]);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [error, setError] = useState<string[]>([]);
  const [sending, setSending] = useState(false);
  const [responseId] = useState(() => crypto.randomUUID());

  async function submit() {
    const unanswered = answers.flatMap((a, i) => (a === null ? [i] : []));
    setMissing(unanswered);
    if (unanswered.length) {
      document.getElementById(`${instrument}-q${unanswered[0]! + 1}-0`)?.focus();
      return;
    }
    setSending(true);
    setError([]);
    try {
      const result = await unwrap(
        api.POST("/api/v1/progress/questionnaires", {
          body: { instrument, answers: answers as number[], occurred_at: new Date().toISOString(), response_id: responseId },
        }),
      );
      setOutcome({ support: result.support_offered === true, saved: true });
    } catch (failure) {
      const support = needsSupport(instrument, answers);
      if (support) setOutcome({ support, saved: false });
      setError([failure instanceof ApiError ? (failure.problem.detail ?? failure.problem.title) : t("q.notSent")]);
    } finally {
      setSending(false);
    }
  }

  if (outcome?.support)
    return (
      <>
        <HelpNow tenantId={tenantId} focus />
        {outcome.saved ? <p>{t("q.thanks")}</p> : <FormErrors messages={error} />}
      </>
    );
  if (outcome?.saved)
    return (
      <p role="status" className="panel">
        {t("q.thanks")}
      </p>
    );

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <p>{t("q.stem")}</p>
      <FormErrors messages={error} />
      {Array.from({ length: count }, (_, i) => {
        const n = i + 1;
        const errorId = `${instrument}-q${n}-error`;
        const isMissing = missing.includes(i);
        return (
          <fieldset key={n} className="question" aria-describedby={isMissing ? errorId : undefined}>
            <legend>
              {n}. {t(itemKey(instrument, n))}
            </legend>
            {ANSWERS.map((value) => (
              <label key={value} className="choice">
                <input
                  type="radio"
                  id={`${instrument}-q${n}-${value}`}
                  name={`${instrument}-q${n}`}
                  checked={answers[i] === value}
                  onChange={() => {
                    setAnswers(answers.map((a, j) => (j === i ? value : a)));
                    setMissing(missing.filter((m) => m !== i));
                  }}
                />
                {t(`q.answer.${value}`)}
              </label>
            ))}
            {isMissing && (
              <p id={errorId} className="field-error" role="alert">
                {t("q.missing")}
              </p>
            )}
          </fieldset>
        );
      })}
      <button type="submit" disabled={sending}>
        {t("q.submit")}
      </button>
    </form>
  );
}
