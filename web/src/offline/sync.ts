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

export function syncNow(owner: string): Promise<void> {
  return flush(apiTransport, owner);
}

/** Send what waits when the app opens and whenever the network comes back. */
export function startSync(owner: string): () => void {
  const onOnline = () => void syncNow(owner);
  window.addEventListener("online", onOnline);
  void syncNow(owner);
  return () => window.removeEventListener("online", onOnline);
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
