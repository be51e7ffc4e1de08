import { createStore, del, entries, set } from "idb-keyval";
import { ApiError, type Problem } from "../api/problem";
import type { BatchItem, BatchResult, CheckInCreate } from "../api/types";

/** What was recorded, kept in IndexedDB until the server has it. Each carries its own id (entry_id / checkin_id),
 * so sending it again is harmless: the server answers "duplicate" (entries) or the stored check-in. An item leaves
 * the queue only after the server has answered that it has it; what the server refuses stays, marked rejected with
 * the server's reason, until the person dismisses it. Each item names who recorded it (`owner`, the session's subject):
 * on a shared device nothing is ever sent under someone else's session. */
export type QueuedItem =
  | { kind: "entry"; id: string; owner: string; body: BatchItem & { entry_id: string }; queuedAt: string; rejected?: Problem }
  | {
      kind: "checkin";
      id: string;
      owner: string;
      body: CheckInCreate & { checkin_id: string };
      queuedAt: string;
      rejected?: Problem;
    };

/** How items reach the server: the batch endpoint for entries, one request per check-in. */
export interface Transport {
  sendEntries(items: BatchItem[]): Promise<BatchResult[]>;
  sendCheckIn(body: CheckInCreate): Promise<void>;
}

const store = createStore("accord-offline", "queue");
const BATCH_SIZE = 50; // under the progress service's batch limit
const listeners = new Set<() => void>();

function changed(): void {
  for (const listener of listeners) listener();
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function queued(owner: string): Promise<QueuedItem[]> {
  const all = (await entries<string, QueuedItem>(store)).map(([, item]) => item).filter((i) => i.owner === owner);
  return all.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
}

export async function enqueueEntry(owner: string, body: BatchItem & { entry_id: string }): Promise<void> {
  const item: QueuedItem = { kind: "entry", id: body.entry_id, owner, body, queuedAt: new Date().toISOString() };
  await set(item.id, item, store);
  changed();
}

export async function enqueueCheckIn(owner: string, body: CheckInCreate & { checkin_id: string }): Promise<void> {
  const item: QueuedItem = { kind: "checkin", id: body.checkin_id, owner, body, queuedAt: new Date().toISOString() };
  await set(item.id, item, store);
  changed();
}

/** The person has seen a refusal and lets it go. */
export async function dismiss(id: string): Promise<void> {
  await del(id, store);
  changed();
}

async function done(id: string): Promise<void> {
  await del(id, store);
}

async function reject(item: QueuedItem, problem: Problem): Promise<void> {
  await set(item.id, { ...item, rejected: problem }, store);
}

/** A refusal that sending again will not change (not: signed out, a conflict worth retrying, too many requests,
 * the server or the network failing). */
function isFinal(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 403, 408, 429].includes(error.status) &&
    !error.retryable
  );
}

class Stop extends Error {}

async function sendEntries(transport: Transport, items: QueuedItem[], taken: Set<string>): Promise<void> {
  const entryItems = items.filter((i): i is Extract<QueuedItem, { kind: "entry" }> => i.kind === "entry");
  for (let start = 0; start < entryItems.length; start += BATCH_SIZE) {
    const chunk = entryItems.slice(start, start + BATCH_SIZE);
    let results: BatchResult[];
    try {
      results = await transport.sendEntries(chunk.map((i) => i.body));
    } catch (error) {
      if (!isFinal(error)) throw new Stop();
      // The whole request was refused (one malformed item fails the body): send each alone to find which.
      if (chunk.length > 1) {
        for (const one of chunk) await sendEntries(transport, [one], taken);
        continue;
      }
      await reject(chunk[0]!, error.problem);
      continue;
    }
    // Results come in the order the entries were sent; an item refused before its id was read has entry_id null.
    const byId = new Map(chunk.map((i) => [i.id, i]));
    for (const [position, result] of results.entries()) {
      const item = result.entry_id === null ? chunk[position] : byId.get(result.entry_id);
      if (!item) continue;
      if (result.status === "created" || result.status === "duplicate") {
        await done(item.id);
        taken.add(item.body.goal_id);
      }
      else if (result.status === "rejected") {
        const problem = (result.problem ?? { title: "Not recorded", status: 422 }) as Problem;
        if (problem.retryable) continue; // the server has not caught up yet: next time
        await reject(item, problem);
      }
    }
  }
}

async function sendCheckIns(transport: Transport, items: QueuedItem[]): Promise<void> {
  for (const item of items) {
    if (item.kind !== "checkin") continue;
    try {
      await transport.sendCheckIn(item.body);
      await done(item.id);
    } catch (error) {
      if (!isFinal(error)) throw new Stop();
      await reject(item, error.problem);
    }
  }
}

let running: Promise<string[]> | null = null;

/** Sends everything pending, once at a time in this tab (and across tabs where the browser has Web Locks).
 * Stops at the first failure that is not a refusal (offline, server trouble, signed out) and keeps the rest.
 * Answers the goals whose entries the server now holds, so that what is shown of them can be read again. */
export function flush(transport: Transport, owner: string): Promise<string[]> {
  running ??= (async () => {
    const taken = new Set<string>();
    const work = async () => {
      const pending = (await queued(owner)).filter((i) => !i.rejected);
      try {
        await sendEntries(transport, pending, taken);
        await sendCheckIns(transport, pending);
      } catch (error) {
        if (!(error instanceof Stop) && !(error instanceof TypeError)) throw error;
      }
    };
    try {
      if (typeof navigator !== "undefined" && navigator.locks) await navigator.locks.request("accord-offline-queue", work);
      else await work();
    } finally {
      running = null;
      changed();
    }
    return [...taken];
  })();
  return running;
}
