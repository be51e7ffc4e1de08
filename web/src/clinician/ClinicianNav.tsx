import { NavLink } from "react-router";
import { useSession } from "../api/hooks";
import { useClinicianT } from "./i18n";

/** The clinician workspace's own sections (the app's layout stays shared): a therapist's caseload, reviews and
 * episodes; a supervisor's team caseloads and service outcomes. */
export function ClinicianNav() {
  const { ct } = useClinicianT();
  const roles = useSession().data?.roles ?? [];
  const therapist = roles.includes("therapist");
  const supervisor = roles.includes("supervisor");
  return (
    <nav className="clinician-nav" aria-label={ct("nav.label")}>
      <ul>
        {therapist && (
          <>
            <li>
              <NavLink to="/" end>
                {ct("nav.caseload")}
              </NavLink>
            </li>
            <li>
              <NavLink to="/reviews">{ct("nav.reviews")}</NavLink>
            </li>
            <li>
              <NavLink to="/episodes">{ct("nav.episodes")}</NavLink>
            </li>
          </>
        )}
        {supervisor && (
          <>
            <li>
              <NavLink to={therapist ? "/team" : "/"} end>
                {ct("nav.team")}
              </NavLink>
            </li>
            <li>
              <NavLink to="/outcomes">{ct("nav.outcomes")}</NavLink>
            </li>
            <li>
              <NavLink to="/erasure-requests">{ct("nav.erasure")}</NavLink>
            </li>
          </>
        )}
      </ul>
    </nav>
  );
}
