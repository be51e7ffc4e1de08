import { shortReference } from "./clientReference";
import { useClinicianT } from "./i18n";

/** A client as people know them: the preferred name their therapist entered or, until one has, "Client 3F9C2A (name
 * not added yet)": a person rather than "Unnamed client", and told apart from the caseload's other unnamed clients. */
export function ClientName({ id, name }: { id: string; name: string | null | undefined }) {
  const { ct } = useClinicianT();
  return <>{name || ct("client.unnamed", { ref: shortReference(id) })}</>;
}
