import { useSession } from "../api/hooks";
import { CaseloadTable } from "./CaseloadTable";
import { ClinicianNav } from "./ClinicianNav";
import { useClinicianT } from "./i18n";
import { SafetySignals } from "./SafetySignals";
import TeamCaseload from "./TeamCaseload";

/** The therapist's own clients, with the live safety signals above them. A supervisor who is not also a therapist has
 * no caseload of their own: their first page is their team's. */
export default function Caseload() {
  const roles = useSession().data?.roles ?? [];
  if (roles.includes("supervisor") && !roles.includes("therapist")) return <TeamCaseload />;
  return <OwnCaseload />;
}

function OwnCaseload() {
  const { ct } = useClinicianT();
  return (
    <article className="clinician wide">
      <ClinicianNav />
      <h1>{ct("caseload.title")}</h1>
      <SafetySignals />
      <CaseloadTable />
    </article>
  );
}
