import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client";
import { formatDate } from "../i18n";

/** My recent check-ins; each journal entry is private until I share it, and I can take the sharing back. */
export function RecentCheckIns({ me }: { me: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const key = ["checkins", me];
  const checkins = useQuery({
    queryKey: key,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/progress/clients/{client_id}/checkins", { params: { path: { client_id: me }, query: { limit: 10 } } }),
      ),
  });
  const share = useMutation({
    mutationFn: ({ id, shared }: { id: string; shared: boolean }) =>
      unwrap(api.PUT("/api/v1/progress/checkins/{checkin_id}/sharing", { params: { path: { checkin_id: id } }, body: { shared } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key }),
  });
  const items = checkins.data ?? [];
  if (items.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="recent-checkins">
      <h2 id="recent-checkins">{t("checkin.recent")}</h2>
      <ul className="checkins">
        {items.map((c) => (
          <li key={c.checkin_id}>
            <p>
              <strong>{formatDate(c.occurred_at)}</strong>: {t("checkin.moodWas", { value: c.mood })}
            </p>
            {c.text && <p className="journal">{c.text}</p>}
            {c.text && (
              <p>
                {c.shared_with_therapist ? t("checkin.isShared") : t("checkin.isPrivate")}{" "}
                <button
                  type="button"
                  className="secondary"
                  disabled={share.isPending}
                  onClick={() => share.mutate({ id: c.checkin_id, shared: !c.shared_with_therapist })}
                >
                  {c.shared_with_therapist ? t("checkin.unshare") : t("checkin.shareNow")}
                </button>
              </p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
