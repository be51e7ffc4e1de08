import type { components } from "../api/schema";
import { useSession } from "../api/hooks";
import { formatDate } from "../i18n";
import { useClinicianT } from "./i18n";

export type Erasure = components["schemas"]["ErasurePublic"];

/** Who someone on an erasure request is, in plain words: the API keeps ids and roles, not names. */
function useWho() {
  const { ct } = useClinicianT();
  const me = useSession().data?.subject;
  return (person: string | null | undefined, roles: string[] | null | undefined, clientId: string) =>
    person === me
      ? ct("rights.who.you")
      : person === clientId
        ? ct("rights.who.client")
        : roles?.includes("supervisor")
          ? ct("rights.who.supervisor")
          : ct("rights.who.therapist");
}

/** One erasure request as the goals service follows it: who asked and when, on which reference, the decision (or
 * that it waits for a supervisor), when its restriction was lifted, and after an approval each service's
 * completion. */
export function ErasureStatus({ request }: { request: Erasure }) {
  const { ct, language } = useClinicianT();
  const who = useWho();
  const listId = `erasure-services-${request.request_id}`;
  return (
    <div className="erasure-status">
      <dl className="facts">
        <dt>{ct("rights.askedBy")}</dt>
        <dd>
          {ct("rights.askedOn", {
            who: who(request.requested_by, request.requested_by_roles, request.client_id),
            when: formatDate(request.requested_at, language),
          })}
        </dd>
        <dt>{ct("rights.reference")}</dt>
        <dd>{request.request_reference ?? "—"}</dd>
        <dt>{ct("rights.decision")}</dt>
        <dd>
          {request.decision === null || request.decision === undefined
            ? ct("rights.waiting")
            : ct(request.decision === "approved" ? "rights.approvedBy" : "rights.refusedBy", {
                who: who(request.decided_by, request.decided_by_roles, request.client_id),
                when: request.decided_at ? formatDate(request.decided_at, language) : "—",
              })}
        </dd>
        {request.lifted_at && (
          <>
            <dt>{ct("rights.restriction")}</dt>
            <dd>{ct("rights.liftedOn", { when: formatDate(request.lifted_at, language) })}</dd>
          </>
        )}
      </dl>
      {request.decision === "approved" && (
        <>
          <p id={listId}>{request.complete ? ct("rights.complete") : ct("rights.applying")}</p>
          <ul aria-labelledby={listId}>
            {request.services.map((s) => (
              <li key={s.service}>
                {ct(`rights.service.${s.service}`, { defaultValue: s.service })}
                {": "}
                {s.applied && s.applied_at
                  ? ct("rights.serviceDone", { when: formatDate(s.applied_at, language) })
                  : ct("rights.serviceNotYet")}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
