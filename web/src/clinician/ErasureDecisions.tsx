import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { useSession } from "../api/hooks";
import { usePagedList } from "../api/pages";
import { ApiError } from "../api/problem";
import { ShowMore } from "../components/ShowMore";
import { LoadFailed, Loading } from "../screens/common";
import { ClientName, useClientName } from "./ClientName";
import { ClinicianNav } from "./ClinicianNav";
import { ErasureStatus, type Erasure } from "./ErasureStatus";
import { useClinicianT } from "./i18n";
import { LiftRestriction } from "./LiftRestriction";
import { Removals } from "./Removals";

type Decision = "approved" | "refused";

/** One waiting request: approve (after saying plainly what that does) or refuse. Only offered when the goals service
 * says this supervisor may decide it, and never for a request they recorded themself (the API answers 403). */
function WaitingRequest({ request }: { request: Erasure }) {
  const { ct } = useClinicianT();
  const queries = useQueryClient();
  const me = useSession().data?.subject;
  const [confirming, setConfirming] = useState(false);
  const decide = useMutation({
    mutationFn: (decision: Decision) =>
      unwrap(
        api.POST("/api/v1/goals/erasure-requests/{request_id}/decision", {
          params: { path: { request_id: request.request_id } },
          body: { decision },
        }),
      ),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ["erasure-requests"] }),
  });
  const name = useClientName(request.client_id).data;
  const headingId = `erasure-${request.request_id}`;
  const mayDecide = request.may_decide && request.requested_by !== me;
  const failed =
    decide.error instanceof ApiError && decide.error.status === 409 ? ct("rights.alreadyDecided") : ct("rights.failed");
  return (
    <li>
      <section aria-labelledby={headingId}>
        <h2 id={headingId}>
          <Link to={`/clients/${encodeURIComponent(request.client_id)}`}>
            <ClientName id={request.client_id} name={name} />
          </Link>
        </h2>
        <ErasureStatus request={request} />
        {decide.isError && <p role="alert">{failed}</p>}
        {!mayDecide ? (
          <p>{request.requested_by === me ? ct("rights.notYours") : ct("rights.notYoursToDecide")}</p>
        ) : confirming ? (
          <div className="confirm" role="group" aria-labelledby={`${headingId}-confirm`}>
            <h3 id={`${headingId}-confirm`}>{ct("rights.approveTitle")}</h3>
            <ul>
              <li>{ct("rights.confirmRestricted")}</li>
              <li>{ct("rights.confirmErased")}</li>
              <li>{ct("rights.confirmAnalytics")}</li>
            </ul>
            <button type="button" disabled={decide.isPending} onClick={() => decide.mutate("approved")}>
              {ct("rights.approveYes")}
            </button>{" "}
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              {ct("rights.confirmBack")}
            </button>
          </div>
        ) : (
          <p>
            <button type="button" onClick={() => setConfirming(true)}>
              {ct("rights.approve")}
            </button>{" "}
            <button type="button" className="secondary" disabled={decide.isPending} onClick={() => decide.mutate("refused")}>
              {ct("rights.refuse")}
            </button>
          </p>
        )}
      </section>
    </li>
  );
}

/** An approved request whose restriction is in place. The client's page is hidden while their records are
 * restricted, so this is where the lift is found (offered where the goals service says `may_lift`): the client is
 * named without a link. */
function RestrictedRequest({ request, onLifted }: { request: Erasure; onLifted: () => void }) {
  const { ct } = useClinicianT();
  const name = useClientName(request.client_id).data;
  const headingId = `restricted-${request.request_id}`;
  return (
    <li>
      <section aria-labelledby={headingId}>
        <h3 id={headingId}>
          <ClientName id={request.client_id} name={name} />
        </h3>
        <ErasureStatus request={request} />
        {request.may_lift ? (
          <LiftRestriction request={request} onLifted={onLifted} Heading="h4" />
        ) : (
          <p>{ct("rights.notYoursToLift")}</p>
        )}
      </section>
    </li>
  );
}

/** The restrictions in place on the records of the clients of this supervisor's teams (newest request first, a page
 * at a time): the goals service answers them however old the request that put them there (`status=restricted`). */
function Restrictions() {
  const { ct } = useClinicianT();
  const [lifted, setLifted] = useState(false);
  const restricted = usePagedList<Erasure>(["erasure-requests", "restricted", "pages"], (cursor) =>
    unwrap(
      api.GET("/api/v1/goals/erasure-requests", {
        params: { query: cursor ? { status: "restricted", cursor } : { status: "restricted" } },
      }),
    ),
  );
  return (
    <section aria-labelledby="restrictions-title">
      <h2 id="restrictions-title">{ct("rights.restrictionsTitle")}</h2>
      <p>{ct("rights.restrictionsIntro")}</p>
      {lifted && <p role="status">{ct("rights.liftDone")}</p>}
      {restricted.isPending ? (
        <Loading />
      ) : restricted.isError && restricted.items.length === 0 ? (
        <p role="alert">{ct("rights.restrictionsLoadFailed")}</p>
      ) : restricted.items.length === 0 ? (
        <p>{ct("rights.noneRestricted")}</p>
      ) : (
        <>
          <ul className="erasure-requests" aria-labelledby="restrictions-title">
            {restricted.items.map((r) => (
              <RestrictedRequest key={r.request_id} request={r} onLifted={() => setLifted(true)} />
            ))}
          </ul>
          <ShowMore list={restricted} label={ct("rights.moreRestrictions")} />
        </>
      )}
    </section>
  );
}

/** A supervisor's erasure requests waiting for a decision, for the clients of their teams (newest first), the
 * restrictions in place they may lift, and the records of their teams removed at the end of their retention period. */
export default function ErasureDecisions() {
  const { ct } = useClinicianT();
  const waiting = usePagedList<Erasure>(["erasure-requests", "waiting", "pages"], (cursor) =>
    unwrap(
      api.GET("/api/v1/goals/erasure-requests", {
        params: { query: cursor ? { status: "waiting", cursor } : { status: "waiting" } },
      }),
    ),
  );
  return (
    <article className="clinician wide">
      <ClinicianNav />
      <h1 id="erasure-title">{ct("rights.decisionsTitle")}</h1>
      <p>{ct("rights.decisionsIntro")}</p>
      {waiting.isPending ? (
        <Loading />
      ) : !waiting.data ? (
        <LoadFailed error={waiting.error} />
      ) : waiting.items.length === 0 ? (
        <p role="status">{ct("rights.noneWaiting")}</p>
      ) : (
        <>
          <ul className="erasure-requests" aria-labelledby="erasure-title">
            {waiting.items.map((r) => (
              <WaitingRequest key={r.request_id} request={r} />
            ))}
          </ul>
          <ShowMore list={waiting} label={ct("rights.moreRequests")} />
        </>
      )}
      <Restrictions />
      <Removals />
    </article>
  );
}
