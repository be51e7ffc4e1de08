import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { keys, useMyGoals, useOverview, useSession } from "../api/hooks";
import type { Goal, GoalProgress } from "../api/types";
import { currentVersion, GoalCard } from "../goals/GoalCard";
import { Loading } from "./common";

/** What needs me: versions waiting for my agreement, and drafts I have not sent yet. */
type Waiting = { goal: Goal; kind: "agree" | "draft" };

function waitingFor(goals: Goal[], me: string): Waiting[] {
  return goals.flatMap((goal): Waiting[] => {
    if (goal.status === "draft") return [{ goal, kind: "draft" }];
    const mine = goal.pending_version?.parties.find((p) => p.person_id === me);
    return mine?.status === "pending" ? [{ goal, kind: "agree" }] : [];
  });
}

export default function Today() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const session = useSession().data;
  const overview = useOverview();
  const goals = useMyGoals();

  // The overview brings each active goal's progress in one call: kept for the goal screens too.
  const progress = useMemo(
    () => (overview.data?.progress ?? {}) as Record<string, GoalProgress>,
    [overview.data?.progress],
  );
  useEffect(() => {
    for (const [id, p] of Object.entries(progress)) queryClient.setQueryData(keys.progress(id), p);
  }, [progress, queryClient]);

  if (!session) return <Loading />;
  const all = goals.data ?? ((overview.data?.goals ?? []) as Goal[]);
  const active = all.filter((g) => g.status === "active");
  const waiting = waitingFor(all, session.subject);
  const missing = overview.data?.missing ?? [];
  // Nothing kept from before and the reads failed (offline on a first visit, or the services down): say we could not
  // get the goals rather than that there are none.
  const unknown = goals.data === undefined && overview.data === undefined && (goals.isError || overview.isError);
  return (
    <article>
      <h1>{t("today.greeting", { name: session.name })}</h1>
      {missing.length > 0 && <p className="notice">{t("today.partial")}</p>}
      <div className="quick-actions">
        <Link className="button" to="/checkins">
          {t("today.checkin")}
        </Link>
        <Link className="button secondary" to="/questionnaires">
          {t("today.questionnaires")}
        </Link>
      </div>
      {waiting.length > 0 && (
        <section aria-labelledby="waiting-title">
          <h2 id="waiting-title">{t("today.waiting")}</h2>
          <ul className="waiting">
            {waiting.map(({ goal, kind }) => (
              <li key={goal.goal_id}>
                <Link to={`/goals/${goal.goal_id}`}>
                  {t(kind === "agree" ? "today.agree" : "today.draft", {
                    goal: currentVersion(goal)?.content.statement ?? "",
                  })}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="goals-title">
        <h2 id="goals-title">{t("today.goals")}</h2>
        {unknown ? (
          <p role="alert">{t("error.loadBody")}</p>
        ) : goals.isPending && overview.isPending ? (
          <Loading />
        ) : active.length === 0 ? (
          <p>{t("today.noGoals")}</p>
        ) : (
          <ul className="goal-list">
            {active.map((g) => (
              <GoalCard key={g.goal_id} goal={g} progress={progress[g.goal_id]} canRecord />
            ))}
          </ul>
        )}
        <Link className="button secondary" to="/goals/new">
          {t("today.newGoal")}
        </Link>
      </section>
    </article>
  );
}
