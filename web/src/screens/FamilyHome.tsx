import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useMyGoals, useOverview, useSession } from "../api/hooks";
import type { GoalProgress } from "../api/types";
import { currentVersion, GoalCard } from "../goals/GoalCard";
import { Loading } from "./common";

/** A family member sees only the goals shared with them (the goals service decides what that is): no count or
 * hint of anything else. */
export default function FamilyHome() {
  const { t } = useTranslation();
  const session = useSession().data;
  const goals = useMyGoals();
  const overview = useOverview();
  if (!session || goals.isPending) return <Loading />;
  const progress = (overview.data?.progress ?? {}) as Record<string, GoalProgress>;
  const shared = goals.data ?? [];
  const toAnswer = shared.filter(
    (g) => g.pending_version?.parties.find((p) => p.person_id === session.subject)?.status === "pending",
  );
  return (
    <article>
      <h1>{t("family.title")}</h1>
      <p>{t("family.intro")}</p>
      {toAnswer.length > 0 && (
        <section aria-labelledby="family-waiting">
          <h2 id="family-waiting">{t("today.waiting")}</h2>
          <ul className="waiting">
            {toAnswer.map((g) => (
              <li key={g.goal_id}>
                <Link to={`/goals/${g.goal_id}`}>
                  {t("today.agree", { goal: currentVersion(g)?.content.statement ?? "" })}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      {shared.length === 0 ? (
        <p>{t("family.none")}</p>
      ) : (
        <ul className="goal-list">
          {shared.map((g) => (
            <GoalCard key={g.goal_id} goal={g} progress={progress[g.goal_id]} canRecord={false} />
          ))}
        </ul>
      )}
    </article>
  );
}
