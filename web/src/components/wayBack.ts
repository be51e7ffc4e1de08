/** Where a "not available" or "didn't load" state sends a person back to, in words that fit who they are: a young
 * person or family member to Today, a therapist to their caseload, a supervisor who is not also a therapist to the
 * service outcomes (their own starting point). Unknown roles (no session yet) get Today, the app's front page. */
export type WayBack = {
  href: string;
  label: "error.home" | "error.homeCaseload" | "error.homeOutcomes";
  body: "error.body" | "error.bodyStaff";
};

export function wayBack(roles: readonly string[] | undefined): WayBack {
  if (!roles || roles.includes("client") || roles.includes("family") || roles.length === 0)
    return { href: "/", label: "error.home", body: "error.body" };
  if (roles.includes("supervisor") && !roles.includes("therapist"))
    return { href: "/outcomes", label: "error.homeOutcomes", body: "error.bodyStaff" };
  return { href: "/", label: "error.homeCaseload", body: "error.bodyStaff" };
}
