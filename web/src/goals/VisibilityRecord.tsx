import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../api/client";
import { useSession } from "../api/hooks";
import { formatDate } from "../i18n";

export const visibilityRecordKey = (goalId: string) => ["visibility-changes", goalId] as const;

/** Who allowed which family members to see this goal, and when (the goals service's record of every change). */
export function VisibilityRecord({ goalId, nameOf }: { goalId: string; nameOf: (personId: string) => string }) {
  const { t, i18n } = useTranslation();
  const me = useSession().data?.subject;
  const record = useQuery({
    queryKey: visibilityRecordKey(goalId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/goals/{goal_id}/visibility-changes", { params: { path: { goal_id: goalId } } })),
  });
  const items = record.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <details className="visibility-record">
      <summary>{t("visibility.record.title")}</summary>
      <ul>
        {[...items].reverse().map((change) => {
          const date = formatDate(change.changed_at, i18n.language);
          const by = change.changed_by === me ? t("visibility.record.you") : t("visibility.record.team");
          return (
            <li key={`${change.changed_at}-${change.shared_with.join()}`}>
              {change.visibility === "shared" && change.shared_with.length > 0
                ? t("visibility.record.shared", { date, by, people: change.shared_with.map(nameOf).join(", ") })
                : t("visibility.record.private", { date, by })}
            </li>
          );
        })}
      </ul>
    </details>
  );
}
