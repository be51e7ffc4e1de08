/** The short reference an unnamed client is told apart by: the last six characters of their id (random in a version 4
 * UUID, so two clients of one caseload all but never share them), never the whole id. */
export function shortReference(clientId: string): string {
  return clientId.replace(/-/g, "").slice(-6).toUpperCase();
}
