import { useEffect, useState } from "react";
import { api, unwrap } from "../api/client";
import { flush, queued, subscribe, type QueuedItem, type Transport } from "./queue";

/** The queue's way to the API: entries through the offline batch endpoint, check-ins one by one (the server keeps
 * the first check-in with an id and answers it again for a resend). */
export const apiTransport: Transport = {
  async sendEntries(items) {
    const body = await unwrap(api.POST("/api/v1/progress/entries/batch", { body: { entries: items } }));
    return body.results;
  },
  async sendCheckIn(body) {
    await unwrap(api.POST("/api/v1/progress/checkins", { body }));
  },
};

/** Sends what waits; answers the goals whose entries reached the server. */
export function syncNow(owner: string): Promise<string[]> {
  return flush(apiTransport, owner);
}

const RETRY_EVERY_MS = 20_000;

/** Send what waits when the app opens, whenever the network comes back, and every little while (a retryable
 * refusal, such as a care episode another service has not heard of yet, is tried again without a reload).
 * `onSent` hears of the goals whose entries arrived, so their progress (a step reached) is read again at once. */
export function startSync(owner: string, onSent: (goalIds: string[]) => void = () => undefined): () => void {
  const sync = () =>
    void syncNow(owner).then((goalIds) => {
      if (goalIds.length) onSent(goalIds);
    });
  const onOnline = () => sync();
  window.addEventListener("online", onOnline);
  const timer = window.setInterval(() => navigator.onLine && sync(), RETRY_EVERY_MS);
  sync();
  return () => {
    window.removeEventListener("online", onOnline);
    window.clearInterval(timer);
  };
}

/** The person's queue as it is now, kept current. */
export function useQueue(owner: string | undefined): QueuedItem[] {
  const [items, setItems] = useState<QueuedItem[]>([]);
  useEffect(() => {
    if (!owner) return;
    let live = true;
    const load = () => void queued(owner).then((found) => live && setItems(found));
    load();
    const unsubscribe = subscribe(load);
    return () => {
      live = false;
      unsubscribe();
    };
  }, [owner]);
  return items;
}
