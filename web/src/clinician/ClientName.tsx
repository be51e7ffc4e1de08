import { useClinicianT } from "./i18n";

/** A client as people know them: the preferred name their therapist entered, or (until one has) "Unnamed client" with
 * their id, so that unnamed clients can still be told apart and matched with the episode opened for them. */
export function ClientName({ id, name }: { id: string; name: string | null | undefined }) {
  const { ct } = useClinicianT();
  if (name) return <>{name}</>;
  return (
    <>
      {ct("client.unnamed")} <code>{id}</code>
    </>
  );
}
