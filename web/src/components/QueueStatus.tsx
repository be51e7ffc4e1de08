import { useTranslation } from "react-i18next";
import { formatDate } from "../i18n";
import { dismiss } from "../offline/queue";
import { useQueue } from "../offline/sync";

/** What is waiting to be sent, and anything the server would not take, with its reason: never dropped quietly. */
export function QueueStatus({ owner }: { owner: string }) {
  const { t } = useTranslation();
  const items = useQueue(owner);
  const waiting = items.filter((i) => !i.rejected).length;
  const rejected = items.filter((i) => i.rejected);
  if (items.length === 0) return null;
  return (
    <section className="queue-status" aria-live="polite">
      {waiting > 0 && <p>{t("queue.waiting", { count: waiting })}</p>}
      {rejected.map((item) => (
        <div key={item.id} className="queue-rejected" role="alert">
          <p>
            <strong>{t("queue.rejectedTitle")}</strong>{" "}
            {t(item.kind === "entry" ? "queue.rejectedEntry" : "queue.rejectedCheckin", {
              date: formatDate(item.body.occurred_at),
            })}
          </p>
          <p>{item.rejected?.detail ?? item.rejected?.title}</p>
          <button type="button" onClick={() => void dismiss(item.id)}>
            {t("common.dismiss")}
          </button>
        </div>
      ))}
    </section>
  );
}
