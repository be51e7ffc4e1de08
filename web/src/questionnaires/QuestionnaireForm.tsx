import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client";
import { ApiError, errorFor, fieldErrors } from "../api/problem";
import type { Episode, Instrument } from "../api/types";
import { FormErrors } from "../components/Field";
import { formatDate } from "../i18n";
import { HelpNow } from "../safety/HelpNow";
import { ANSWERS, itemKey, ITEMS, needsSupport } from "./instruments";

type Outcome = { support: boolean; saved: boolean } | null;

/** One questionnaire, every item a group of four answers. The result is never shown as a score or a label: the
 * person is thanked, and offered help at once when the service (or, offline, item 9 itself) says so.
 * `episodes` are the person's open care episodes (undefined while unknown): the response is filed under one of
 * them, chosen silently when there is one and asked for when there are several (the service refuses to guess). */
export function QuestionnaireForm({
  instrument,
  tenantId,
  episodes,
}: {
  instrument: Instrument;
  tenantId: string | undefined;
  episodes?: Episode[] | undefined;
}) {
  const { t } = useTranslation();
  const choosing = (episodes?.length ?? 0) > 1;
  const [chosenEpisode, setChosenEpisode] = useState<string | null>(null);
  const [episodeError, setEpisodeError] = useState<string | undefined>(undefined);
  const episodeId = episodes?.length === 1 ? episodes[0]!.episode_id : chosenEpisode;
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
    const noEpisode = choosing && episodeId === null;
    setEpisodeError(noEpisode ? t("q.episodeMissing") : undefined);
    if (unanswered.length) {
      document.getElementById(`${instrument}-q${unanswered[0]! + 1}-0`)?.focus();
      return;
    }
    if (noEpisode) {
      document.getElementById(`${instrument}-episode-0`)?.focus();
      return;
    }
    setSending(true);
    setError([]);
    try {
      const result = await unwrap(
        api.POST("/api/v1/progress/questionnaires", {
          body: {
            instrument,
            answers: answers as number[],
            occurred_at: new Date().toISOString(),
            response_id: responseId,
            ...(episodeId === null ? {} : { episode_id: episodeId }),
          },
        }),
      );
      setOutcome({ support: result.support_offered === true, saved: true });
    } catch (failure) {
      const support = needsSupport(instrument, answers);
      if (support) setOutcome({ support, saved: false });
      const onEpisode = failure instanceof ApiError ? errorFor(fieldErrors(failure.problem), "episode_id") : undefined;
      // Shown next to the choice when there is one; otherwise (episodes unknown) at the top of the form.
      if (onEpisode !== undefined && choosing) setEpisodeError(onEpisode);
      else setError([failure instanceof ApiError ? (failure.problem.detail ?? failure.problem.title) : t("q.notSent")]);
    } finally {
      setSending(false);
    }
  }

  const helpNow = outcome?.support ? <HelpNow tenantId={tenantId} focus /> : null;
  // A refused episode choice keeps the form open (below the help) so the person can choose and send again.
  if (outcome?.support && (outcome.saved || episodeError === undefined))
    return (
      <>
        {helpNow}
        {outcome.saved ? <p>{t("q.thanks")}</p> : <FormErrors messages={error} />}
      </>
    );
  if (outcome?.saved)
    return (
      <p role="status" className="panel">
        {t("q.thanks")}
      </p>
    );

  const episodeErrorId = `${instrument}-episode-error`;
  return (
    <>
      {helpNow}
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
        {choosing && (
          <fieldset className="episode-choice" aria-describedby={episodeError ? episodeErrorId : undefined}>
            <legend>{t("q.episodeQuestion")}</legend>
            <p className="hint">{t("q.episodeHint")}</p>
            {episodes!.map((episode, i) => (
              <label key={episode.episode_id} className="choice">
                <input
                  type="radio"
                  id={`${instrument}-episode-${i}`}
                  name={`${instrument}-episode`}
                  checked={chosenEpisode === episode.episode_id}
                  onChange={() => {
                    setChosenEpisode(episode.episode_id);
                    setEpisodeError(undefined);
                  }}
                />
                {t("q.episodeOption", { date: formatDate(episode.opened_at) })}
              </label>
            ))}
            {episodeError && (
              <p id={episodeErrorId} className="field-error" role="alert">
                {episodeError}
              </p>
            )}
          </fieldset>
        )}
        <button type="submit" disabled={sending}>
          {t("q.submit")}
        </button>
      </form>
    </>
  );
}
