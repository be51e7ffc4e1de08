import { useSession } from "../api/hooks";
import type { components } from "../api/schema";
import { useClinicianT } from "./i18n";

type Report = components["schemas"]["ClientReport"];

/** Who a person id in a client's timeline is, in words: "you", the client (by their preferred name), or the role they
 * hold on the client's goals. No other person's name is stored, so ids are never the answer. */
export function usePartyLabel(report: Report | undefined): (personId: string | null | undefined) => string {
  const { ct } = useClinicianT();
  const me = useSession().data?.subject;
  const roles = new Map<string, string>();
  for (const goal of report?.goals ?? []) for (const a of goal.acceptance) roles.set(a.person_id, a.role);
  return (personId) => {
    if (!personId) return "—";
    if (personId === me) return ct("party.you");
    if (personId === report?.client_id) return report.client_name ?? ct("party.client");
    const role = roles.get(personId);
    return role ? ct(`party.roles.${role}`, { defaultValue: ct("party.someone") }) : ct("party.someone");
  };
}
