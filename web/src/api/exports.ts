import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "./client";
import type { components } from "./schema";

export type Export = components["schemas"]["ExportPublic"];

/** How often the progress of an export being assembled is asked for: each service adds its part within seconds. */
const POLL_MS = 2000;

/** The whole export as one zip file, built by the gateway from the parts. */
export function archiveHref(exportId: string): string {
  return `/api/v1/exports/archive?export_id=${encodeURIComponent(exportId)}`;
}

/** A subject access export of a client's data, as the person asking follows it: `start` records one (staff give the
 * reference of the recorded request), `current` is the newest one this person asked for about the client (found
 * again after a reload, `GET /goals/exports`), polled until every part is ready. Used by the young person's
 * "Download my data" and by the clinician's data rights section. */
export function useClientExport(clientId: string) {
  const [started, setStarted] = useState<Export | null>(null);
  const latest = useQuery({
    queryKey: ["exports", clientId],
    // Only the newest is followed: a page of one (the list is keyset-paged, newest first).
    queryFn: () => unwrap(api.GET("/api/v1/goals/exports", { params: { query: { client_id: clientId, limit: 1 } } })),
  });
  const start = useMutation({
    mutationFn: (requestReference?: string) =>
      unwrap(
        api.POST("/api/v1/goals/exports", {
          body: requestReference === undefined ? { client_id: clientId } : { client_id: clientId, request_reference: requestReference },
        }),
      ),
    onSuccess: setStarted,
  });
  const followed = started ?? latest.data?.items[0] ?? null;
  const progress = useQuery({
    queryKey: ["export", followed?.export_id],
    enabled: followed !== null,
    queryFn: () =>
      unwrap(api.GET("/api/v1/goals/exports/{export_id}", { params: { path: { export_id: followed!.export_id } } })),
    refetchInterval: (query) => (query.state.data?.ready ? false : POLL_MS),
  });
  const current = progress.data ?? followed;
  return { current, start, inProgress: current !== null && !current.ready };
}
