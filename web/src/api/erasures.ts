import { api, unwrap } from "./client";
import { usePagedList } from "./pages";
import type { components } from "./schema";

/** The erasure requests about a client that the signed-in person may follow, newest first, a page (of at most 50)
 * at a time: the client's page for staff, Settings for the young person. */
export function useErasureRequests(clientId: string) {
  return usePagedList<components["schemas"]["ErasurePublic"]>(["erasure-requests", clientId, "pages"], (cursor) =>
    unwrap(
      api.GET("/api/v1/goals/erasure-requests", {
        params: { query: cursor ? { client_id: clientId, cursor } : { client_id: clientId } },
      }),
    ),
  );
}
