import { persister, stopKeepingCache } from "../api/queryClient";

export const OWNER_KEY = "accord.owner";

/** The browser session the gateway keeps (backend-for-frontend): an HttpOnly cookie, never a token in JavaScript.
 * GET /auth/session is the gateway's own route, outside the public API's OpenAPI document; its shape is the team's
 * browser session contract. */
export type Role = "client" | "therapist" | "family" | "supervisor" | "admin";

export interface Session {
  subject: string;
  roles: Role[];
  tenant_id: string;
  name: string;
  csrf_token: string;
  expires_at: string;
  idle_expires_at: string;
}

let current: Promise<Session | null> | null = null;
let seen: Session | null = null;

/** The session loadSession last answered with, for code that cannot wait or use a query (the error panel). */
export function knownSession(): Session | null {
  return seen;
}

/** The live session, or null when there is none (401). Fetched once per page load and shared; rejects when the
 * gateway cannot be reached (offline), so the app can open with the session it last saw. */
export function loadSession(): Promise<Session | null> {
  // "include" (the same as "same-origin" for this same-origin URL) and no extra header: the request then matches
  // index.html's <link rel="preload" crossorigin="use-credentials">, and the browser hands over that response.
  current ??= fetch("/auth/session", { credentials: "include" }).then(
    async (response) => {
      if (response.status === 401) return (seen = null);
      if (!response.ok) throw new Error(`session: ${response.status}`);
      seen = (await response.json()) as Session;
      return seen;
    },
  );
  current.catch(() => {
    current = null; // try again next time
  });
  return current;
}

/** The session the page came with (the first screen's data block): loadSession answers it without asking. */
export function seedSession(session: Session): void {
  seen = session;
  current = Promise.resolve(session);
}

export function forgetSession(): void {
  current = null;
  seen = null;
}

export async function getCsrfToken(): Promise<string | undefined> {
  return (await loadSession())?.csrf_token;
}

export function loginUrl(returnTo: string): string {
  return `/auth/login?return_to=${encodeURIComponent(returnTo)}`;
}

function goToLogin(): void {
  const here = window.location.pathname + window.location.search;
  window.location.assign(loginUrl(here.startsWith("/auth/") ? "/" : here));
}

let onSessionEnded: () => void = goToLogin;

/** Tests replace what happens when the API says the session ended. */
export function setSessionEndedHandler(handler: () => void): void {
  onSessionEnded = handler;
}

/** A 401 from the API: whatever was typed is already kept (useDraft); go and sign in again, then come back here. */
export function sessionEnded(): void {
  forgetSession();
  onSessionEnded();
}

export async function logout(): Promise<void> {
  const token = await getCsrfToken();
  const response = await fetch("/auth/logout", {
    method: "POST",
    credentials: "same-origin",
    headers: token ? { "X-CSRF-Token": token } : {},
  });
  forgetSession();
  // Nothing of this person's stays readable on the device: the kept query cache goes (unsent recordings stay
  // queued under their name, sent when they next sign in).
  stopKeepingCache();
  await persister.removeClient();
  localStorage.removeItem(OWNER_KEY);
  const body = response.ok ? ((await response.json()) as { logout_url?: string }) : {};
  window.location.assign(body.logout_url ?? "/");
}
