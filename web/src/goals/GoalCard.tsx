import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Goal, GoalProgress, GoalVersion } from "../api/types";
import { Sparkline } from "../components/Sparkline";
import { formatNumber } from "../i18n";

export function currentVersion(goal: Goal): GoalVersion | null {
  return goal.agreed_version ?? goal.pending_version ?? null;
}

/** The next step not reached yet, in the goal's own words. */
export function nextMilestone(version: GoalVersion, progress: GoalProgress | undefined): string | null {
  const reached = new Set((progress?.milestones ?? []).filter((m) => m.reached_at).map((m) => m.milestone_id));
  return (version.content.milestones ?? []).find((m) => !reached.has(m.milestone_id))?.description ?? null;
}

const RECENT_MS = 14 * 86_400_000;

/** What to celebrate: the target, or a step reached in the last fortnight. */
export function celebration(
  version: GoalVersion,
  progress: GoalProgress | undefined,
): { what: "target" } | { what: "milestone"; milestone: string } | null {
  if (!progress) return null;
  if (progress.target_reached_at) return { what: "target" };
  const recent = progress.milestones
    .filter((m) => m.reached_at && Date.now() - Date.parse(m.reached_at) < RECENT_MS)
    .sort((a, b) => (b.reached_at ?? "").localeCompare(a.reached_at ?? ""))[0];
  if (!recent) return null;
  const words = (version.content.milestones ?? []).find((m) => m.milestone_id === recent.milestone_id)?.description;
  return { what: "milestone", milestone: words ?? "" };
}

/** A goal whose date has passed, or that has not moved: an invitation to look at it together, never a reproach. */
export function inviteToReview(version: GoalVersion, progress: GoalProgress | undefined): boolean {
  if (progress?.target_reached_at) return false;
  const overdue = Date.parse(version.content.due_date) < Date.now() - 86_400_000;
  return overdue || ["no-progress", "not-achieved", "worsening"].includes(progress?.achievement_status ?? "");
}

export function ProgressSummary({ version, progress }: { version: GoalVersion; progress: GoalProgress | undefined }) {
  const { t } = useTranslation();
  const { measure, target, statement } = version.content;
  return (
    <>
      {progress?.percent_to_target != null && (
        <p>{t("goal.percent", { percent: formatNumber(Math.max(0, Math.min(100, progress.percent_to_target))) })}</p>
      )}
      <Sparkline
        values={(progress?.series ?? []).map((p) => p.value)}
        min={measure.minimum}
        max={measure.maximum}
        target={target}
        label={t("goal.chartLabel", { goal: statement })}
      />
    </>
  );
}

export function GoalCard({ goal, progress, canRecord }: { goal: Goal; progress?: GoalProgress; canRecord: boolean }) {
  const { t } = useTranslation();
  const version = currentVersion(goal);
  if (!version) return null;
  const next = nextMilestone(version, progress);
  return (
    <li className="goal-card">
      <h3>
        <Link to={`/goals/${goal.goal_id}`}>{version.content.statement}</Link>
      </h3>
      <p className="muted">{t(`goal.status.${goal.status}`)}</p>
      {goal.status === "active" && (
        <>
          <p>{next ? t("goal.next", { milestone: next }) : t("goal.allSteps")}</p>
          <ProgressSummary version={version} progress={progress} />
          {inviteToReview(version, progress) && <p className="invite">{t("review.invite")}</p>}
          {canRecord && (
            <Link className="button" to={`/goals/${goal.goal_id}#record`}>
              {t("record.title")}
            </Link>
          )}
        </>
      )}
    </li>
  );
}
