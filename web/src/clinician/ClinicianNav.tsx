import { NavLink } from "react-router";
import { useClinicianT } from "./i18n";

/** The clinician workspace's own sections (the app's layout stays shared). */
export function ClinicianNav() {
  const { ct } = useClinicianT();
  return (
    <nav className="clinician-nav" aria-label={ct("nav.label")}>
      <ul>
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
        <li>
          <NavLink to="/outcomes">{ct("nav.outcomes")}</NavLink>
        </li>
      </ul>
    </nav>
  );
}
