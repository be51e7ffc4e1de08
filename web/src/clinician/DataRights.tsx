import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import { useErasureRequests } from "../api/erasures";
import { useClientExport } from "../api/exports";
import { ApiError, errorFor, fieldErrors, otherErrors } from "../api/problem";
import { ExportProgress } from "../components/ExportProgress";
import { Field, FormErrors } from "../components/Field";
import { ShowMore } from "../components/ShowMore";
import { formatDate } from "../i18n";
import { ErasureStatus, type Erasure } from "./ErasureStatus";
import { LiftRestriction } from "./LiftRestriction";
import { useClinicianT } from "./i18n";

const REFERENCE = "request_reference";

/** A failed request's messages: by field (the reference in our own words, in the reader's language), the rest for
 * the top of the form; a failure with no problem details (offline) says so plainly, never a blank. */
function useProblems(error: unknown) {
  const { ct } = useClinicianT();
  if (!error) return { reference: undefined, other: [] as string[] };
  if (!(error instanceof ApiError)) return { reference: undefined, other: [ct("rights.failed")] };
  const errors = fieldErrors(error.problem);
  const other = otherErrors(errors, [REFERENCE]);
  return {
    reference: errorFor(errors, REFERENCE) === undefined ? undefined : ct("rights.referenceNeeded"),
    other: other.length === 0 && Object.keys(errors).length === 0 ? [ct("rights.failed")] : other,
  };
}

function ReferenceField(props: { value: string; onChange: (v: string) => void; error: string | undefined }) {
  const { ct } = useClinicianT();
  return (
    <Field label={ct("rights.referenceLabel")} hint={ct("rights.referenceHint")} error={props.error}>
      {(ids) => (
        <input {...ids} maxLength={100} autoComplete="off" value={props.value} onChange={(e) => props.onChange(e.target.value)} />
      )}
    </Field>
  );
}

/** A subject access export on the client's recorded request: its progress, then the whole export to download. */
function StaffExport({ clientId }: { clientId: string }) {
  const { ct } = useClinicianT();
  const [reference, setReference] = useState("");
  const { current, start, inProgress } = useClientExport(clientId);
  const problems = useProblems(start.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    start.mutate(reference.trim() || undefined);
  };
  return (
    <section aria-labelledby="rights-export">
      <h3 id="rights-export">{ct("rights.exportTitle")}</h3>
      <p className="hint">{ct("rights.exportHint")}</p>
      <form onSubmit={submit} noValidate>
        <FormErrors messages={problems.other} />
        <ReferenceField value={reference} onChange={setReference} error={problems.reference} />
        <button type="submit" disabled={start.isPending || inProgress}>
          {ct("rights.exportStart")}
        </button>
      </form>
      {current && (
        <ExportProgress
          current={current}
          label={ct("rights.exportProgressLabel")}
          progress={ct("rights.exportProgress", { ready: current.parts_ready, expected: current.parts_expected })}
          ready={ct("rights.exportReady", { reference: current.request_reference ?? "—" })}
          download={ct("rights.exportDownload")}
        />
      )}
    </section>
  );
}

/** One of the client's erasure requests: its status, and the lift of its restriction where this person may. */
function ErasureItem({ request, onLifted }: { request: Erasure; onLifted: () => void }) {
  const { ct, language } = useClinicianT();
  const headingId = `erasure-item-${request.request_id}`;
  return (
    <li>
      <section aria-labelledby={headingId}>
        <h4 id={headingId}>
          {ct("rights.requestHeading", { when: formatDate(request.requested_at, language) })}
        </h4>
        <ErasureStatus request={request} />
        {request.may_lift && <LiftRestriction request={request} onLifted={onLifted} />}
      </section>
    </li>
  );
}

/** An erasure request on the client's recorded request: a confirmation step says what an approval does, then the
 * request waits for a supervisor's decision; its status stays on the page. */
function StaffErasure({ clientId }: { clientId: string }) {
  const { ct } = useClinicianT();
  const queries = useQueryClient();
  const [reference, setReference] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [lifted, setLifted] = useState(false); // announced in the section: the lift's own form is gone by then
  const requests = useErasureRequests(clientId);
  const ask = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/goals/erasure-requests", {
          body: reference.trim() ? { client_id: clientId, request_reference: reference.trim() } : { client_id: clientId },
        }),
      ),
    onSettled: () => setConfirming(false),
    onSuccess: () => {
      setLifted(false);
      setReference("");
      void queries.invalidateQueries({ queryKey: ["erasure-requests"] });
    },
  });
  const problems = useProblems(ask.error);
  const items = requests.items;
  return (
    <section aria-labelledby="rights-erasure">
      <h3 id="rights-erasure">{ct("rights.erasureTitle")}</h3>
      <p className="hint">{ct("rights.erasureHint")}</p>
      {items.length > 0 && (
        <>
          <p id="rights-erasure-list">{ct("rights.requestsSoFar")}</p>
          <ol className="erasure-requests" aria-labelledby="rights-erasure-list">
            {items.map((request) => (
              <ErasureItem key={request.request_id} request={request} onLifted={() => setLifted(true)} />
            ))}
          </ol>
          <ShowMore list={requests} label={ct("rights.moreRequests")} />
        </>
      )}
      {requests.isError && !requests.isFetchNextPageError && <p role="alert">{ct("rights.loadFailed")}</p>}
      {(lifted || ask.isSuccess) && (
        <p role="status">{lifted ? ct("rights.liftDone") : ct("rights.erasureRecorded")}</p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          ask.reset();
          setConfirming(true);
        }}
        noValidate
      >
        <FormErrors messages={problems.other} />
        <ReferenceField value={reference} onChange={setReference} error={problems.reference} />
        {!confirming && (
          <button type="submit" className="secondary">
            {ct("rights.erasureStart")}
          </button>
        )}
      </form>
      {confirming && (
        <div className="confirm" role="group" aria-labelledby="rights-erasure-confirm">
          <h4 id="rights-erasure-confirm">{ct("rights.confirmTitle")}</h4>
          <ul>
            <li>{ct("rights.confirmRestricted")}</li>
            <li>{ct("rights.confirmErased")}</li>
            <li>{ct("rights.confirmAnalytics")}</li>
            <li>{ct("rights.confirmDecision")}</li>
          </ul>
          <button type="button" disabled={ask.isPending} onClick={() => ask.mutate()}>
            {ct("rights.confirmYes")}
          </button>{" "}
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            {ct("rights.confirmBack")}
          </button>
        </div>
      )}
    </section>
  );
}

/** The staff side of a client's data rights: a subject access export and an erasure request, each on a request the
 * client made and staff recorded (its reference is required: the goals service answers 422 without it). */
export function DataRights({ clientId }: { clientId: string }) {
  const { ct } = useClinicianT();
  return (
    <section aria-labelledby="rights-title" className="data-rights">
      <h2 id="rights-title">{ct("rights.title")}</h2>
      <p>{ct("rights.intro")}</p>
      <StaffExport clientId={clientId} />
      <StaffErasure clientId={clientId} />
    </section>
  );
}
