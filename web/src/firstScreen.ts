import { hashKey, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { keys } from "./api/hooks";
import type { Overview, Preferences } from "./api/types";
import { OWNER_KEY, seedSession, type Session } from "./auth/session";
import type { Language } from "./i18n";

/** The data the gateway rendered the young person's first screen from, sent with the page as a JSON block
 * (services/gateway/.../first_screen.py): the app starts from it instead of asking for it again, and renders the
 * same screen over the gateway's markup. */
export interface FirstScreen {
  session: Session;
  overview: Overview;
  preferences: Preferences | null;
  language: Language;
}

export const DATA_BLOCK_ID = "accord-first-screen";

/** The page's data block, or null (the plain shell, or a block that cannot be read). */
export function readFirstScreen(doc: Document = document): FirstScreen | null {
  const block = doc.getElementById(DATA_BLOCK_ID);
  if (!block?.textContent) return null;
  try {
    const data = JSON.parse(block.textContent) as FirstScreen;
    return data.session?.subject && data.overview ? data : null;
  } catch {
    return null;
  }
}

/** Puts the first screen's data into the query cache and the session, as if just fetched: nothing is asked again on
 * this visit. Not done when the kept data on this device is another person's: the app then starts as usual and
 * clears it first. Answers the keys seeded (not read again once the kept cache is restored), or null. */
export function seedFirstScreen(client: QueryClient, seed: FirstScreen | null): QueryKey[] | null {
  if (!seed) return null;
  const owner = localStorage.getItem(OWNER_KEY);
  if (owner !== null && owner !== seed.session.subject) return null;
  const seeded: QueryKey[] = [keys.session, keys.overview];
  seedSession(seed.session);
  client.setQueryData(keys.session, seed.session);
  client.setQueryData(keys.overview, seed.overview);
  for (const [id, progress] of Object.entries(seed.overview.progress ?? {})) {
    client.setQueryData(keys.progress(id), progress);
    seeded.push(keys.progress(id));
  }
  if (seed.overview.unread_notifications != null) {
    client.setQueryData(keys.unread, { unread: seed.overview.unread_notifications });
    seeded.push(keys.unread);
  }
  if (seed.preferences) {
    client.setQueryData(keys.preferences, seed.preferences);
    seeded.push(keys.preferences);
  }
  return seeded;
}

/** Whether `key` is one of `seeded`. */
export function isSeeded(seeded: readonly QueryKey[], key: QueryKey): boolean {
  const hash = hashKey(key);
  return seeded.some((k) => hashKey(k) === hash);
}
