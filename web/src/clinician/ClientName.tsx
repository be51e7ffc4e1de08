import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import { shortReference } from "./clientReference";
import { useClinicianT } from "./i18n";

/** A client as people know them: the preferred name their therapist entered or, until one has, "Client 3F9C2A (name
 * not added yet)": a person rather than "Unnamed client", and told apart from the caseload's other unnamed clients. */
export function ClientName({ id, name }: { id: string; name: string | null | undefined }) {
  const { ct } = useClinicianT();
  return <>{name || ct("client.unnamed", { ref: shortReference(id) })}</>;
}

/** The name the client prefers, as the reporting service keeps it for their clinicians; null while there is none
 * (or while the reporting service has not yet heard of a just-opened episode, which it answers as 404). */
export function useClientName(clientId: string) {
  return useQuery({
    queryKey: ["client-name", clientId],
    retry: false,
    queryFn: () =>
      unwrap(api.GET("/api/v1/reporting/clients/{client_id}/name", { params: { path: { client_id: clientId } } })).then(
        (answer) => answer.display_name ?? null,
        (error: unknown) => {
          if (error instanceof ApiError && error.status === 404) return null;
          throw error;
        },
      ),
  });
}
