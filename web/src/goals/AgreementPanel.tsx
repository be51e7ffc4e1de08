import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { keys } from "../api/hooks";
import { ApiError, errorFor, fieldErrors, otherErrors } from "../api/problem";
import type { Goal, Party } from "../api/types";
import { Field, FormErrors } from "../components/Field";
import { formatDate } from "../i18n";
import { useDraft } from "../offline/draft";
import { ImportanceQuestions, importanceBody, NO_ANSWERS, type Importance } from "./ImportanceQuestions";

/** Each party's answer to the version waiting for agreement, and mine to give. */
export function AgreementPanel({ goal, me, isClient }: { goal: Goal; me: string; isClient: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const version = goal.pending_version;
  const [comment, setComment, clearComment] = useDraft(`agreement-${goal.goal_id}`, { text: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [importance, setImportance] = useState<Importance>(NO_ANSWERS);
  const answer = useMutation({
    mutationFn: (decision: "agree" | "decline") =>
      unwrap(
        api.POST("/api/v1/goals/{goal_id}/agreements", {
          params: { path: { goal_id: goal.goal_id } },
          body: {
            decision,
            ...(comment.text.trim() ? { comment: comment.text.trim() } : {}),
            // Asked with an agreement only: a "not yet" carries no view on how much the goal matters.
            ...(decision === "agree" ? importanceBody(importance, isClient) : {}),
          },
        }),
      ),
    onMutate: () => setErrors({}),
    onSuccess: (updated) => {
      clearComment();
      queryClient.setQueryData(keys.goal(goal.goal_id), updated);
      void queryClient.invalidateQueries({ queryKey: keys.goals });
    },
    onError: (error) => setErrors(error instanceof ApiError ? fieldErrors(error.problem) : { "": t("common.error") }),
  });
  const propose = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/goals/{goal_id}/proposal", { params: { path: { goal_id: goal.goal_id } }, body: {} }),
      ),
    onSuccess: (updated) => queryClient.setQueryData(keys.goal(goal.goal_id), updated),
    onError: (error) => setErrors(error instanceof ApiError ? fieldErrors(error.problem) : { "": t("common.error") }),
  });

  const roleName = (p: Party) => (p.person_id === me ? t("role.you") : t(`role.${p.role}`));
  const mine = version?.parties.find((p) => p.person_id === me);
  const generic = propose.error instanceof ApiError && Object.keys(errors).length === 0 ? [propose.error.problem.title] : [];

  return (
    <section className="panel" aria-labelledby="agreement-title">
      <h2 id="agreement-title">{t("agreement.title")}</h2>
      {goal.status === "draft" && isClient && (
        <>
          <p>{t("agreement.draft")}</p>
          <FormErrors messages={[...otherErrors(errors, []), ...generic]} />
          <div className="actions">
            <Link className="button secondary" to={`/goals/${goal.goal_id}/edit`}>
              {t("agreement.edit")}
            </Link>
            <button type="button" onClick={() => propose.mutate()} disabled={propose.isPending}>
              {t("agreement.propose")}
            </button>
          </div>
        </>
      )}
      {version && version.state === "proposed" && (
        <>
          <ul className="parties">
            {version.parties.map((p) => (
              <li key={p.person_id}>
                <strong>{roleName(p)}</strong>: {t(`agreement.status.${p.status}`, { defaultValue: p.status })}
                {p.agreement?.comment && <blockquote>{p.agreement.comment}</blockquote>}
                {p.agreement && <span className="muted"> ({formatDate(p.agreement.at)})</span>}
              </li>
            ))}
          </ul>
          {/* "Not yet" is not final: a party who declined can agree later, and their answer is then replaced. */}
          {mine && mine.status !== "agree" && (
            <form
              noValidate
              onSubmit={(event) => {
                event.preventDefault();
                const submitter = (event.nativeEvent).submitter as HTMLButtonElement | null;
                answer.mutate(submitter?.value === "decline" ? "decline" : "agree");
              }}
            >
              <FormErrors messages={otherErrors(errors, ["comment", "decision"])} />
              <Field label={t("agreement.comment")} hint={t("agreement.commentHint")} error={errorFor(errors, "comment")}>
                {(ids) => (
                  <textarea
                    {...ids}
                    rows={2}
                    value={comment.text}
                    onChange={(e) => setComment({ text: e.target.value })}
                  />
                )}
              </Field>
              <ImportanceQuestions value={importance} onChange={setImportance} isClient={isClient} />
              <div className="actions">
                <button type="submit" value="agree" disabled={answer.isPending}>
                  {t("agreement.agree")}
                </button>
                <button type="submit" value="decline" className="secondary" disabled={answer.isPending}>
                  {t("agreement.decline")}
                </button>
              </div>
            </form>
          )}
        </>
      )}
      {goal.status === "active" && <p>{t("agreement.agreed")}</p>}
      {isClient && (goal.status === "active" || goal.status === "proposed") && (
        <Link className="button secondary" to={`/goals/${goal.goal_id}/edit`}>
          {t("agreement.revise")}
        </Link>
      )}
    </section>
  );
}
