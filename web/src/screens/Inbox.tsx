import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import { keys, useInbox, useUnread } from "../api/hooks";
import { inAppPath } from "../api/links";
import { formatDate } from "../i18n";
import { LoadFailed, Loading } from "./common";

export default function Inbox() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const inbox = useInbox();
  const unread = useUnread().data?.unread;
  const markRead = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST("/api/v1/notifications/inbox/{item_id}/read", { params: { path: { item_id: id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.inbox });
      void queryClient.invalidateQueries({ queryKey: keys.unread });
    },
  });
  if (inbox.isPending) return <Loading />;
  if (!inbox.data) return <LoadFailed error={inbox.error} />;
  const items = inbox.data.items;
  return (
    <article>
      <h1>{t("inbox.title")}</h1>
      {unread !== undefined && unread > 0 && <p>{t("inbox.unread", { count: unread })}</p>}
      {items.length === 0 ? (
        <p>{t("inbox.empty")}</p>
      ) : (
        <ul className="inbox">
          {items.map((item) => {
            const path = inAppPath(item.link);
            return (
              <li key={item.id} className={item.read_at ? "read" : "unread"}>
                <h2>
                  {!item.read_at && <span className="visually-hidden">{t("inbox.new")}: </span>}
                  {item.title}
                </h2>
                <p>{item.body}</p>
                <p className="muted">{formatDate(item.created_at)}</p>
                <div className="actions">
                  {path ? (
                    <Link className="button secondary" to={path} onClick={() => !item.read_at && markRead.mutate(item.id)}>
                      {t("inbox.open")}
                    </Link>
                  ) : null}
                  {!item.read_at && (
                    <button type="button" className="secondary" onClick={() => markRead.mutate(item.id)}>
                      {t("inbox.markRead")}
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </article>
  );
}
