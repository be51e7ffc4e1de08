/** The services send links as the public base URL plus a path of this app (/goals/<id>, /clients/<id>, /inbox):
 * on this app's own origin they are followed inside the app (no reload, the session and caches kept); anything
 * else is not a path of this app. */
export function inAppPath(link: string): string | null {
  try {
    const url = new URL(link, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search : null;
  } catch {
    return null;
  }
}
