import { useClinicianT } from "./i18n";

/** A client as people know them: the preferred name their therapist entered, or (until one has) "Unnamed client" with
 * the start of their id, so that two unnamed clients can still be told apart. */
export function ClientName({ id, name }: { id: string; name: string | null | undefined }) {
  const { ct } = useClinicianT();
  if (name) return <>{name}</>;
  return <>{ct("client.unnamed", { id: id.slice(0, 8) })}</>;
}
