import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import { ApiError, errorFor, fieldErrors, otherErrors } from "../api/problem";
import type { components } from "../api/schema";
import { Field, FormErrors } from "../components/Field";
import { formatDate } from "../i18n";
import { useGoalWords } from "./goalWords";
import { useClinicianT } from "./i18n";

type Outcome = components["schemas"]["GoalOutcome"];
const OUTCOMES: Outcome[] = ["achieved", "partly_achieved", "not_achieved", "no_longer_relevant", "replaced"];

function problems(error: unknown): Record<string, string> {
  if (error instanceof ApiError) return fieldErrors(error.problem);
  return error instanceof Error ? { "": error.message } : {};
}

/** The goal's own record in the goals service (its wording stays there), for its statement and for a revision. */
export function useGoal(goalId: string) {
  return useQuery({
    queryKey: ["goal", goalId],
    queryFn: () => unwrap(api.GET("/api/v1/goals/{goal_id}", { params: { path: { goal_id: goalId } } })),
  });
}

type PartyLabel = (personId: string | null | undefined) => string;

/** Every version's step (who did what, with their reason) from the goals service's own history. */
function History({ goalId, partyLabel }: { goalId: string; partyLabel: PartyLabel }) {
  const { ct, language } = useClinicianT();
  const captionId = useId();
  const say = useGoalWords();
  const history = useQuery({
    queryKey: ["goal-history", goalId],
    queryFn: () => unwrap(api.GET("/api/v1/goals/{goal_id}/history", { params: { path: { goal_id: goalId } } })),
  });
  if (!history.data) return null;
  return (
    // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrolling table must be reachable by keyboard (WCAG 2.1.1)
    <div className="table-scroll" tabIndex={0} role="region" aria-labelledby={captionId}>
      <table className="data-table">
        <caption id={captionId}>{ct("actions.historyCaption")}</caption>
        <thead>
          <tr>
            <th scope="col">{ct("client.date")}</th>
            <th scope="col">{ct("actions.version")}</th>
            <th scope="col">{ct("client.event")}</th>
            <th scope="col">{ct("client.party")}</th>
            <th scope="col">{ct("actions.reason")}</th>
          </tr>
        </thead>
        <tbody>
          {history.data.entries.map((h, i) => (
            <tr key={`${h.at}-${i}`}>
              <th scope="row">{formatDate(h.at, language)}</th>
              <td>{h.version}</td>
              <td>{say("action", h.action)}</td>
              <td>{partyLabel(h.actor)}</td>
              <td>{h.reason ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A therapist proposes a new version of an agreed goal (its wording, target or due date) with the reason for it;
 * the parties then agree or decline it as they did the first. The rest of the content is the version in force. */
function ProposeRevision({ goalId, onChanged }: { goalId: string; onChanged: () => void }) {
  const { ct } = useClinicianT();
  const client = useQueryClient();
  const goal = useGoal(goalId);
  const agreed = goal.data?.agreed_version?.content;
  const [edits, setEdits] = useState<{ statement?: string; target?: string; due_date?: string; reason: string }>({
    reason: "",
  });
  const propose = useMutation({
    mutationFn: () => {
      const record = goal.data!;
      const content = { ...record.agreed_version!.content };
      if (edits.statement !== undefined) content.statement = edits.statement;
      if (edits.target !== undefined) content.target = edits.target === "" ? Number.NaN : Number(edits.target);
      if (edits.due_date !== undefined) content.due_date = edits.due_date;
      return unwrap(
        api.POST("/api/v1/goals/{goal_id}/revisions", {
          params: { path: { goal_id: goalId }, header: { "if-match": `"${record.revision}"` } },
          body: { content, reason: edits.reason },
        }),
      );
    },
    onSuccess: (saved) => {
      setEdits({ reason: "" });
      client.setQueryData(["goal", goalId], saved);
      void client.invalidateQueries({ queryKey: ["goal-history", goalId] });
      onChanged();
    },
  });
  // A revision is of an agreed goal with nothing else awaiting agreement; otherwise there is nothing to revise here.
  if (!agreed || goal.data?.pending_version || goal.data?.status === "closed") return null;
  const errors = problems(propose.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    propose.mutate();
  };
  return (
    <form className="propose-revision" onSubmit={submit} noValidate aria-labelledby={`revise-${goalId}`}>
      <h4 id={`revise-${goalId}`}>{ct("actions.revise")}</h4>
      <FormErrors messages={otherErrors(errors, ["statement", "target", "due_date", "reason"])} />
      <Field label={ct("actions.statement")} error={errorFor(errors, "statement")}>
        {(ids) => (
          <textarea
            {...ids}
            maxLength={500}
            value={edits.statement ?? agreed.statement}
            onChange={(e) => setEdits({ ...edits, statement: e.target.value })}
          />
        )}
      </Field>
      <Field label={ct("actions.target")} error={errorFor(errors, "target")}>
        {(ids) => (
          <input
            {...ids}
            type="number"
            inputMode="decimal"
            value={edits.target ?? String(agreed.target)}
            onChange={(e) => setEdits({ ...edits, target: e.target.value })}
          />
        )}
      </Field>
      <Field label={ct("actions.dueDate")} error={errorFor(errors, "due_date")}>
        {(ids) => (
          <input
            {...ids}
            type="date"
            value={edits.due_date ?? agreed.due_date}
            onChange={(e) => setEdits({ ...edits, due_date: e.target.value })}
          />
        )}
      </Field>
      <Field label={ct("actions.revisionReason")} error={errorFor(errors, "reason")}>
        {(ids) => (
          <textarea
            {...ids}
            maxLength={500}
            value={edits.reason}
            onChange={(e) => setEdits({ ...edits, reason: e.target.value })}
          />
        )}
      </Field>
      <button type="submit" disabled={propose.isPending}>
        {ct("actions.proposeRevision")}
      </button>
    </form>
  );
}

/** What a therapist can do to a goal: agree or decline with a comment, pause, resume, close with an outcome, propose a revision with a reason. The
 * goals service decides what is allowed; its refusal shows at the field it names. */
export function GoalActions({
  goalId,
  onChanged,
  partyLabel,
}: {
  goalId: string;
  onChanged: () => void;
  partyLabel: PartyLabel;
}) {
  const { ct } = useClinicianT();
  const client = useQueryClient();
  const [comment, setComment] = useState("");
  const [outcome, setOutcome] = useState<Outcome>("achieved");
  const [reason, setReason] = useState("");
  const path = { params: { path: { goal_id: goalId } } };
  const act = useMutation({
    mutationFn: (action: "agree" | "decline" | "pause" | "resume" | "close") => {
      if (action === "agree" || action === "decline")
        return unwrap(api.POST("/api/v1/goals/{goal_id}/agreements", { ...path, body: { decision: action, comment } }));
      if (action === "pause") return unwrap(api.POST("/api/v1/goals/{goal_id}/pause", path));
      if (action === "resume") return unwrap(api.POST("/api/v1/goals/{goal_id}/resume", path));
      return unwrap(api.POST("/api/v1/goals/{goal_id}/closure", { ...path, body: { outcome, reason } }));
    },
    onSuccess: () => {
      setComment("");
      setReason("");
      void client.invalidateQueries({ queryKey: ["goal-history", goalId] });
      onChanged();
    },
  });
  const errors = problems(act.error);
  return (
    <div className="goal-actions">
      <h3>{ct("actions.title")}</h3>
      <FormErrors messages={otherErrors(errors, ["comment", "outcome", "reason"])} />
      <Field label={ct("actions.comment")} error={errorFor(errors, "comment")}>
        {(ids) => <textarea {...ids} maxLength={500} value={comment} onChange={(e) => setComment(e.target.value)} />}
      </Field>
      <div className="button-row">
        <button type="button" disabled={act.isPending} onClick={() => act.mutate("agree")}>
          {ct("actions.agree")}
        </button>
        <button type="button" disabled={act.isPending} onClick={() => act.mutate("decline")}>
          {ct("actions.decline")}
        </button>
        <button type="button" disabled={act.isPending} onClick={() => act.mutate("pause")}>
          {ct("actions.pause")}
        </button>
        <button type="button" disabled={act.isPending} onClick={() => act.mutate("resume")}>
          {ct("actions.resume")}
        </button>
      </div>
      <Field label={ct("actions.outcome")} error={errorFor(errors, "outcome")}>
        {(ids) => (
          <select {...ids} value={outcome} onChange={(e) => setOutcome(e.target.value as Outcome)}>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {ct(`actions.outcomes.${o}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={ct("actions.reason")} error={errorFor(errors, "reason")}>
        {(ids) => <textarea {...ids} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <button type="button" disabled={act.isPending} onClick={() => act.mutate("close")}>
        {ct("actions.close")}
      </button>
      <ProposeRevision goalId={goalId} onChanged={onChanged} />
      <History goalId={goalId} partyLabel={partyLabel} />
    </div>
  );
}
