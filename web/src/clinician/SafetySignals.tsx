import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { keys, useInbox } from "../api/hooks";
import { inAppPath } from "../api/links";
import { formatDate } from "../i18n";
import { useClinicianT } from "./i18n";
import { useLiveInbox, type LiveItem } from "./useLiveInbox";

interface Signal {
  id: string;
  created_at: string;
  link: string;
}

export const SAFETY_KIND = "safety_signal";

/** Unread safety signals: those already in the inbox and those that arrive while the screen is open. Each stays
 * until the therapist marks it seen (the inbox's mark-read), and says what to do next. */
export function SafetySignals() {
  const { ct, language } = useClinicianT();
  const client = useQueryClient();
  const inbox = useInbox();
  const [live, setLive] = useState<Signal[]>([]);
  const [seen, setSeen] = useState<Set<string>>(new Set());
  const onItem = useCallback((item: LiveItem) => {
    if (item.kind === SAFETY_KIND) setLive((now) => (now.some((s) => s.id === item.id) ? now : [item, ...now]));
  }, []);
  useLiveInbox(true, onItem);
  const markRead = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST("/api/v1/notifications/inbox/{item_id}/read", { params: { path: { item_id: id } } })),
    onSuccess: (_, id) => {
      setSeen((now) => new Set(now).add(id));
      void client.invalidateQueries({ queryKey: keys.inbox });
      void client.invalidateQueries({ queryKey: keys.unread });
    },
  });
  const stored = (inbox.data?.items ?? []).filter((i) => i.kind === SAFETY_KIND && i.read_at === null);
  const storedIds = new Set(stored.map((i) => i.id));
  const signals = [...live.filter((s) => !storedIds.has(s.id)), ...stored].filter((s) => !seen.has(s.id));
  if (signals.length === 0) return null;
  return (
    <section className="safety-signals" aria-labelledby="safety-heading" role="alert">
      <h2 id="safety-heading">{ct("safety.heading")}</h2>
      <ul>
        {signals.map((s) => (
          <li key={s.id}>
            <p>{ct("safety.body", { when: formatDate(s.created_at, language) })}</p>
            {/* Inside the app, as the inbox follows its links: the stream's link is the public base URL's. */}
            <Link to={inAppPath(s.link) ?? s.link}>{ct("safety.open")}</Link>{" "}
            <button type="button" disabled={markRead.isPending} onClick={() => markRead.mutate(s.id)}>
              {ct("safety.acknowledge")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
