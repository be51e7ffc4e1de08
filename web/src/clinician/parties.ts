import { useQueries } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { useSession } from "../api/hooks";
import type { components } from "../api/schema";
import { useClinicianT } from "./i18n";

type Report = components["schemas"]["ClientReport"];

/** The names the lead therapist gave family members, from the care episodes of the report's goals (which the
 * therapist is in; for anyone the goals service does not answer, the role stands in). */
function useFamilyNames(report: Report | undefined): Map<string, string> {
  const episodeIds = [...new Set((report?.goals ?? []).map((g) => g.episode_id))];
  const episodes = useQueries({
    queries: episodeIds.map((id) => ({
      queryKey: ["episode", id],
      retry: false,
      queryFn: () => unwrap(api.GET("/api/v1/episodes/{episode_id}", { params: { path: { episode_id: id } } })),
    })),
  });
  const names = new Map<string, string>();
  for (const episode of episodes)
    for (const p of episode.data?.participants ?? []) if (p.display_name) names.set(p.person_id, p.display_name);
  return names;
}

/** Who a person id in a client's timeline is, in words: "you", the client (by their preferred name), a family member
 * by the name given when they joined the episode, or the role they hold on the client's goals. Never an id. */
export function usePartyLabel(report: Report | undefined): (personId: string | null | undefined) => string {
  const { ct } = useClinicianT();
  const me = useSession().data?.subject;
  const names = useFamilyNames(report);
  const roles = new Map<string, string>();
  for (const goal of report?.goals ?? []) for (const a of goal.acceptance) roles.set(a.person_id, a.role);
  return (personId) => {
    if (!personId) return "—";
    if (personId === me) return ct("party.you");
    if (personId === report?.client_id) return report.client_name ?? ct("party.client");
    const name = names.get(personId);
    if (name) return name;
    const role = roles.get(personId);
    return role ? ct(`party.roles.${role}`, { defaultValue: ct("party.someone") }) : ct("party.someone");
  };
}
