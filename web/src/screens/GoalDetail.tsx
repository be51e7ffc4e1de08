import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { useGoal, useGoalProgress, useSession } from "../api/hooks";
import { isGone } from "../api/problem";
import { Celebrate } from "../components/Celebrate";
import { AgreementPanel } from "../goals/AgreementPanel";
import { AlignmentPrompt } from "../goals/ImportanceQuestions";
import { celebration, currentVersion, inviteToReview, ProgressSummary } from "../goals/GoalCard";
import { RecordProgress } from "../goals/RecordProgress";
import { Visibility } from "../goals/Visibility";
import { formatDate } from "../i18n";
import { Loading, LoadFailed } from "./common";

export default function GoalDetail() {
  const { t } = useTranslation();
  const { goalId = "" } = useParams();
  const session = useSession().data;
  const goal = useGoal(goalId);
  const version = goal.data ? currentVersion(goal.data) : null;
  const progress = useGoalProgress(goalId, goal.data?.status === "active" || goal.data?.status === "paused");
  if (goal.isPending) return <Loading />;
  // Refused now (made private again, or the person left the care): what was kept from before is not shown.
  if (!goal.data || !version || !session || isGone(goal.error)) return <LoadFailed error={goal.error} />;
  const isClient = session.roles.includes("client");
  const content = version.content;
  const party = celebration(version, progress.data);
  const milestones = content.milestones ?? [];
  const reachedAt = new Map((progress.data?.milestones ?? []).map((m) => [m.milestone_id, m.reached_at]));
  return (
    <article>
      <h1>{content.statement}</h1>
      <p className="muted">{t(`goal.status.${goal.data.status}`)}</p>
      {party && <Celebrate {...party} />}
      {goal.data.status === "active" && inviteToReview(version, progress.data) && (
        <p className="invite">{t("review.invite")}</p>
      )}
      <AlignmentPrompt diverges={goal.data.alignment?.diverges} />
      <dl className="facts">
        {content.why_it_matters && (
          <>
            <dt>{t("goal.why")}</dt>
            <dd>{content.why_it_matters}</dd>
          </>
        )}
        <dt>{t("goal.due")}</dt>
        <dd>{formatDate(content.due_date)}</dd>
        <dt>{t("goal.confidence")}</dt>
        <dd>{t("common.outOfTen", { value: content.confidence })}</dd>
      </dl>
      {goal.data.status === "active" && (
        <section className="panel" aria-labelledby="progress-title">
          <h2 id="progress-title">{t("goal.progress")}</h2>
          <ProgressSummary version={version} progress={progress.data} />
        </section>
      )}
      {milestones.length > 0 && (
        <section className="panel" aria-labelledby="steps-title">
          <h2 id="steps-title">{t("goal.milestones")}</h2>
          <ol className="milestones">
            {milestones.map((m) => {
              const at = reachedAt.get(m.milestone_id);
              return (
                <li key={m.milestone_id} className={at ? "reached" : undefined}>
                  {m.description}{" "}
                  <span className="muted">{at ? t("goal.reached", { date: formatDate(at) }) : t("goal.notYet")}</span>
                </li>
              );
            })}
          </ol>
        </section>
      )}
      {isClient && goal.data.status === "active" && (
        <RecordProgress goal={goal.data} version={version} owner={session.subject} />
      )}
      <AgreementPanel goal={goal.data} me={session.subject} isClient={isClient} />
      {isClient && <Visibility goal={goal.data} />}
    </article>
  );
}
