import { useClinicianT } from "./i18n";

/** A client as people know them: the preferred name their therapist entered, or (until one has) "Unnamed client".
 * Never their id: a therapist tells unnamed clients apart by opening them and entering the name they prefer. */
export function ClientName({ name }: { name: string | null | undefined }) {
  const { ct } = useClinicianT();
  return <>{name || ct("client.unnamed")}</>;
}
