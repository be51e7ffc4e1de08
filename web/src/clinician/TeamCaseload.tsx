import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../api/client";
import { LoadFailed, Loading } from "../screens/common";
import { CaseloadTable } from "./CaseloadTable";
import { ClinicianNav } from "./ClinicianNav";
import { useClinicianT } from "./i18n";

/** The teams the reporting service says this person supervises (none for anyone else). */
export function useSupervisedTeams() {
  return useQuery({ queryKey: ["supervised-teams"], queryFn: () => unwrap(api.GET("/api/v1/reporting/teams")) });
}

/** Supervisors: a team's caseload, read-only (the same figures as a therapist's, no client's record behind them),
 * with a choice of team for those who supervise several. */
export default function TeamCaseload() {
  const { ct } = useClinicianT();
  const teams = useSupervisedTeams();
  const [chosen, setChosen] = useState<string | null>(null);
  const ids = teams.data?.team_ids ?? [];
  const teamId = chosen ?? ids[0] ?? null;
  return (
    <article className="clinician wide">
      <ClinicianNav />
      <h1>{ct("team.title")}</h1>
      <p>{ct("team.readOnly")}</p>
      {teams.isPending ? (
        <Loading />
      ) : !teams.data ? (
        <LoadFailed error={teams.error} />
      ) : teamId === null ? (
        <p>{ct("team.none")}</p>
      ) : (
        <>
          {ids.length > 1 && (
            <label className="team-picker">
              {ct("team.choose")}{" "}
              <select value={teamId} onChange={(e) => setChosen(e.target.value)}>
                {ids.map((id, i) => (
                  <option key={id} value={id}>
                    {ct("team.option", { number: i + 1, id: id.slice(0, 8) })}
                  </option>
                ))}
              </select>
            </label>
          )}
          <CaseloadTable key={teamId} teamId={teamId} />
        </>
      )}
    </article>
  );
}
