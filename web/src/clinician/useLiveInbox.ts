import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { keys } from "../api/hooks";

export const STREAM_PATH = "/api/v1/notifications/stream";

/** An `inbox` event of the notifications stream: never the message's text (see the notifications README). */
export interface LiveItem {
  id: string;
  kind: string;
  created_at: string;
  link: string;
  unread_count: number;
}

type Listener = (item: LiveItem | null, unread: number) => void;

// One EventSource per page, shared by every screen that listens (the layout and the caseload), closed with the last.
// Reconnection is EventSource's own: it sends Last-Event-ID, and the service replays what came after it.
let source: EventSource | null = null;
const listeners = new Set<Listener>();

function emit(item: LiveItem | null, unread: number) {
  for (const listener of listeners) listener(item, unread);
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (!source && typeof EventSource !== "undefined") {
    source = new EventSource(STREAM_PATH, { withCredentials: true });
    source.addEventListener("inbox", (event) => {
      const item = JSON.parse((event as MessageEvent<string>).data) as LiveItem;
      emit(item, item.unread_count);
    });
    source.addEventListener("unread", (event) => {
      const { unread_count } = JSON.parse((event as MessageEvent<string>).data) as { unread_count: number };
      emit(null, unread_count);
    });
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && source) {
      source.close();
      source = null;
    }
  };
}

/** Keeps the unread count (and the inbox list) current from the live stream; `onItem` hears each new item. */
export function useLiveInbox(enabled: boolean, onItem?: (item: LiveItem) => void): void {
  const client = useQueryClient();
  const onItemRef = useRef(onItem);
  useEffect(() => {
    onItemRef.current = onItem;
  }, [onItem]);
  useEffect(() => {
    if (!enabled) return;
    return subscribe((item, unread) => {
      client.setQueryData(keys.unread, { unread });
      if (item) {
        void client.invalidateQueries({ queryKey: keys.inbox });
        onItemRef.current?.(item);
      }
    });
  }, [client, enabled]);
}
