import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../api/client";
import { ApiError, errorFor, fieldErrors, otherErrors } from "../api/problem";
import type { components } from "../api/schema";
import { Field, FormErrors } from "../components/Field";
import { formatDate } from "../i18n";
import { useClinicianT } from "./i18n";

type Outcome = components["schemas"]["GoalOutcome"];
const OUTCOMES: Outcome[] = ["achieved", "partly_achieved", "not_achieved", "no_longer_relevant", "replaced"];

function problems(error: unknown): Record<string, string> {
  if (error instanceof ApiError) return fieldErrors(error.problem);
  return error instanceof Error ? { "": error.message } : {};
}

/** Every version's step (who did what, with their reason) from the goals service's own history. */
function History({ goalId }: { goalId: string }) {
  const { ct, language } = useClinicianT();
  const history = useQuery({
    queryKey: ["goal-history", goalId],
    queryFn: () => unwrap(api.GET("/api/v1/goals/{goal_id}/history", { params: { path: { goal_id: goalId } } })),
  });
  if (!history.data) return null;
  return (
    <table className="data-table">
      <caption>{ct("actions.historyCaption")}</caption>
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
            <td>{h.action}</td>
            <td>
              <code>{h.actor}</code>
            </td>
            <td>{h.reason ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What a therapist can do to a goal: agree or decline with a comment, pause, resume, close with an outcome. The
 * goals service decides what is allowed; its refusal shows at the field it names. */
export function GoalActions({ goalId, onChanged }: { goalId: string; onChanged: () => void }) {
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
      <History goalId={goalId} />
    </div>
  );
}
