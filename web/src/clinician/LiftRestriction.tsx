import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import { ApiError, errorFor, fieldErrors } from "../api/problem";
import { Field, FormErrors } from "../components/Field";
import type { Erasure } from "./ErasureStatus";
import { useClinicianT } from "./i18n";

const REASON = "reason";

/** What went wrong, in our words: next to the reason when the goals service refuses the reason (422) or the lift
 * itself (409: lifted already, or nothing was restricted), at the top otherwise (offline, anything unforeseen). */
function useProblem(error: unknown): { reason?: string; other: string[] } {
  const { ct } = useClinicianT();
  if (!error) return { other: [] };
  if (!(error instanceof ApiError)) return { other: [ct("rights.failed")] };
  if (error.status === 409)
    return { reason: ct(error.problem.field === "decision" ? "rights.liftNothing" : "rights.liftAlready"), other: [] };
  if (error.status === 422 && errorFor(fieldErrors(error.problem), REASON) !== undefined)
    return { reason: ct("rights.liftReasonNeeded"), other: [] };
  return { other: [ct("rights.failed")] };
}

/** "Lift the restriction" on an approved request, for a supervisor of the client's team (the goals service says so
 * with `may_lift`; it answers 404 to anyone else). It says plainly what lifting does, asks why (kept with the
 * request, 1–300 characters), and tells `onLifted` once the goals service has lifted it. */
export function LiftRestriction({
  request,
  onLifted,
  Heading = "h5",
}: {
  request: Erasure;
  onLifted: () => void;
  /** The confirmation's heading, one level below the request's own. */
  Heading?: "h4" | "h5";
}) {
  const { ct } = useClinicianT();
  const queries = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const lift = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/goals/erasure-requests/{request_id}/restriction-lift", {
          params: { path: { request_id: request.request_id } },
          body: { reason: reason.trim() },
        }),
      ),
    onSuccess: () => {
      onLifted();
      void queries.invalidateQueries({ queryKey: ["erasure-requests"] });
    },
  });
  const problem = useProblem(lift.error);
  const titleId = `lift-${request.request_id}`;
  if (!open)
    return (
      <p>
        <button type="button" className="secondary" onClick={() => setOpen(true)}>
          {ct("rights.lift")}
        </button>
      </p>
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    lift.mutate();
  };
  return (
    <form className="confirm" aria-labelledby={titleId} onSubmit={submit} noValidate>
      <Heading id={titleId}>{ct("rights.liftTitle")}</Heading>
      <ul>
        <li>{ct("rights.liftUsedAgain")}</li>
        <li>{ct("rights.liftErasedStays")}</li>
      </ul>
      <FormErrors messages={problem.other} />
      <Field label={ct("rights.liftReasonLabel")} hint={ct("rights.liftReasonHint")} error={problem.reason}>
        {(ids) => <textarea {...ids} rows={3} maxLength={300} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <button type="submit" disabled={lift.isPending}>
        {ct("rights.liftYes")}
      </button>{" "}
      <button
        type="button"
        className="secondary"
        onClick={() => {
          lift.reset();
          setOpen(false);
        }}
      >
        {ct("rights.confirmBack")}
      </button>
    </form>
  );
}
