/** Exports and erasure requests as the goals service answers them, for the data rights tests and the fake API. */
export const SERVICES = ["goals", "progress", "notifications", "reporting"] as const;

export function exportOf(clientId: string, exportId: string, ready: number, reference: string | null = "SAR-12") {
  return {
    export_id: exportId,
    client_id: clientId,
    requested_at: "2026-11-28T10:00:00Z",
    request_reference: reference,
    parts_expected: 4,
    parts_ready: ready,
    ready: ready === 4,
    parts: SERVICES.map((service, i) => ({
      service,
      ready: i < ready,
      records: i < ready ? 3 : null,
      href: `/api/v1/${service}/exports/${exportId}/part`,
    })),
  };
}

export function erasureOf(
  clientId: string,
  requestId: string,
  requestedBy: string,
  changes: {
    decision?: "approved" | "refused" | null;
    applied?: number;
    may_decide?: boolean;
    may_lift?: boolean;
    lifted_at?: string | null;
    roles?: string[];
    reference?: string | null;
    requested_at?: string;
  } = {},
) {
  const applied = changes.applied ?? 0;
  const decision = changes.decision ?? null;
  return {
    request_id: requestId,
    client_id: clientId,
    requested_by: requestedBy,
    requested_by_roles: changes.roles ?? ["therapist"],
    request_reference: changes.reference === undefined ? "DPA-3" : changes.reference,
    requested_at: changes.requested_at ?? "2026-11-27T10:00:00Z",
    decision,
    decided_by: decision ? "5c000000-0000-4000-8000-000000000009" : null,
    decided_by_roles: decision ? ["supervisor"] : null,
    decided_at: decision ? "2026-11-28T10:00:00Z" : null,
    services: SERVICES.map((service, i) => ({
      service,
      applied: i < applied,
      applied_at: i < applied ? "2026-11-28T10:01:00Z" : null,
    })),
    complete: decision === "approved" && applied === 4,
    lifted_at: changes.lifted_at ?? null,
    may_decide: changes.may_decide ?? false,
    may_lift: changes.may_lift ?? false,
  };
}

/** A refusal the way the goals service words it: problem+json naming the field at fault. */
export function problem(status: number, field: string, detail: string): Response {
  return Response.json(
    { type: "about:blank", title: "Unprocessable", status, detail, field },
    { status, headers: { "Content-Type": "application/problem+json" } },
  );
}

/** A removal at the end of the clinical retention period as the goals service's ledger answers it: the first
 * `reported` services have reported their removal. */
export function removalOf(episodeId: string, clientId: string, reported: number, expiredAt = "2026-11-20T06:00:00Z") {
  return {
    episode_id: episodeId,
    client_id: clientId,
    expired_at: expiredAt,
    services: SERVICES.map((service, i) => ({
      service,
      applied: i < reported,
      applied_at: i < reported ? expiredAt : null,
    })),
    complete: reported === SERVICES.length,
  };
}
