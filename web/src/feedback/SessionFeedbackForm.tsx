import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import { FormErrors } from "../components/Field";
import { inLanguage, SCALE, type FeedbackInstrument } from "./words";

type Outcome = "sent" | "already" | null;

/** The session feedback check: each question a row of 0-10 choices (a radio group: Tab to it, arrows to choose),
 * an optional private comment, one send. Built to take under a minute on a phone with the keyboard alone. */
export function SessionFeedbackForm({
  instrument,
  episodeId,
  sessionId,
}: {
  instrument: FeedbackInstrument;
  episodeId: string;
  sessionId: string;
}) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const [scores, setScores] = useState<Record<string, number>>({});
  const [comment, setComment] = useState("");
  const [missing, setMissing] = useState<string[]>([]);
  const [error, setError] = useState<string[]>([]);
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  async function send() {
    const unanswered = instrument.items.map((item) => item.key).filter((key) => scores[key] === undefined);
    setMissing(unanswered);
    if (unanswered.length) {
      document.getElementById(`fb-${unanswered[0]}-0`)?.focus();
      return;
    }
    setSending(true);
    setError([]);
    try {
      await unwrap(
        api.POST("/api/v1/episodes/{episode_id}/sessions/{session_id}/feedback", {
          params: { path: { episode_id: episodeId, session_id: sessionId } },
          body: { scores, ...(comment.trim() ? { comment: comment.trim() } : {}) },
        }),
      );
      setOutcome("sent");
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 409 && failure.problem.detail?.includes("already")) {
        setOutcome("already");
      } else {
        setError([failure instanceof ApiError ? (failure.problem.detail ?? failure.problem.title) : t("feedback.notSent")]);
      }
    } finally {
      setSending(false);
    }
  }

  if (outcome !== null)
    return (
      <p role="status" className="panel">
        {t(outcome === "sent" ? "feedback.thanks" : "feedback.already")}
      </p>
    );

  return (
    <form
      noValidate
      className="feedback-form"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <FormErrors messages={error} />
      {instrument.items.map((item) => {
        const isMissing = missing.includes(item.key);
        const hintId = `fb-${item.key}-hint`;
        const errorId = `fb-${item.key}-error`;
        return (
          <fieldset
            key={item.key}
            className="question scale-question"
            aria-describedby={isMissing ? `${hintId} ${errorId}` : hintId}
          >
            <legend>{inLanguage(item.question, language)}</legend>
            <div className="scale" role="presentation">
              {SCALE.map((value) => (
                <label key={value} className="scale-choice">
                  <input
                    type="radio"
                    id={`fb-${item.key}-${value}`}
                    name={`fb-${item.key}`}
                    value={value}
                    checked={scores[item.key] === value}
                    onChange={() => {
                      setScores({ ...scores, [item.key]: value });
                      setMissing(missing.filter((key) => key !== item.key));
                    }}
                  />
                  <span>{value}</span>
                </label>
              ))}
            </div>
            <p id={hintId} className="hint scale-ends">
              <span>{t("feedback.low", { words: inLanguage(item.low, language) })}</span>
              <span>{t("feedback.high", { words: inLanguage(item.high, language) })}</span>
            </p>
            {isMissing && (
              <p id={errorId} className="field-error" role="alert">
                {t("feedback.missing")}
              </p>
            )}
          </fieldset>
        );
      })}
      <label htmlFor="fb-comment">{t("feedback.commentLabel")}</label>
      <p id="fb-comment-hint" className="hint">
        {t("feedback.commentHint")}
      </p>
      <textarea
        id="fb-comment"
        aria-describedby="fb-comment-hint"
        maxLength={1000}
        rows={3}
        value={comment}
        onChange={(event) => setComment(event.target.value)}
      />
      <button type="submit" disabled={sending}>
        {t("feedback.send")}
      </button>
    </form>
  );
}
