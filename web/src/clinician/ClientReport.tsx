import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "react-router";
import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { formatDate, formatNumber } from "../i18n";
import { LoadFailed, Loading } from "../screens/common";
import { CheckIns } from "./CheckIns";
import { ClientWarnings } from "./ClientWarnings";
import { ClientName } from "./ClientName";
import { ClinicianNav } from "./ClinicianNav";
import { DataRights } from "./DataRights";
import { GoalActions, useGoal } from "./GoalActions";
import { useGoalWords } from "./goalWords";
import { useClinicianT } from "./i18n";
import { usePartyLabel } from "./parties";
import { PreferredName } from "./PreferredName";
import { ProgressChart } from "./ProgressChart";
import { Questionnaires } from "./Questionnaires";
import { reviewReasonText } from "./reviewReasons";
import { SessionFeedback } from "./SessionFeedback";
import { useEpisodes } from "../api/hooks";

type Report = components["schemas"]["ClientReport"];
type GoalReport = components["schemas"]["GoalReport"];

function GoalSection({ goal, report }: { goal: GoalReport; report: Report }) {
  const { ct, language } = useClinicianT();
  const client = useQueryClient();
  const party = usePartyLabel(report);
  const say = useGoalWords();
  const record = useGoal(goal.goal_id);
  const statement = (record.data?.agreed_version ?? record.data?.pending_version)?.content.statement;
  const headingId = `goal-${goal.goal_id}`;
  return (
    <section aria-labelledby={headingId} className="client-goal">
      <h2 id={headingId}>
        {statement ?? ct("client.goalUnnamed")}{" "}
        <span className="goal-version">{ct("client.goal", { version: goal.version ?? "—" })}</span>
      </h2>
      <dl className="facts">
        <dt>{ct("client.status")}</dt>
        <dd>{say("lifecycle", goal.lifecycle_status)}</dd>
        <dt>{ct("client.achievement")}</dt>
        <dd>{goal.achievement_status ? say("achievement", goal.achievement_status) : "—"}</dd>
        <dt>{ct("client.latest")}</dt>
        <dd>
          {goal.current_progress.latest_value === null ? "—" : formatNumber(goal.current_progress.latest_value, language)}
        </dd>
        <dt>{ct("client.due")}</dt>
        <dd>{goal.due_date ? formatDate(goal.due_date, language) : "—"}</dd>
      </dl>
      {goal.review_reasons && goal.review_reasons.length > 0 && (
        <div className="review-reasons">
          <h3>{ct("client.reviewSuggested")}</h3>
          <ul>
            {goal.review_reasons.map((code) => {
              // In plain words, never the service's code (the Reviews screen says them the same way).
              const { key, days } = reviewReasonText(code);
              return <li key={code}>{days === undefined ? ct(key) : ct(key, { count: days })}</li>;
            })}
          </ul>
        </div>
      )}
      <h3>{ct("client.progress")}</h3>
      <ProgressChart goal={goal} />
      {goal.milestones.length > 0 && (
        <>
          <h3 id={`${headingId}-steps`}>{ct("client.milestones")}</h3>
          {/* The steps' wording stays in the goals service; the report knows each step's place and when it was
              reached. */}
          <ul aria-labelledby={`${headingId}-steps`}>
            {goal.milestones.map((m) => (
              <li key={m.milestone_id}>
                {m.threshold === null
                  ? ct("client.step", { position: m.position })
                  : ct("client.stepAt", { position: m.position, threshold: formatNumber(m.threshold, language) })}
                {": "}
                {m.reached_at ? ct("client.reached", { when: formatDate(m.reached_at, language) }) : ct("client.notReached")}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>{ct("client.agreement")}</h3>
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrolling table must be reachable by keyboard (WCAG 2.1.1) */}
      <div className="table-scroll" tabIndex={0} role="region" aria-labelledby={`${headingId}-agreement`}>
        <table className="data-table">
          <caption id={`${headingId}-agreement`}>{ct("client.agreementCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{ct("client.date")}</th>
              <th scope="col">{ct("client.event")}</th>
              <th scope="col">{ct("client.party")}</th>
              <th scope="col">{ct("client.decision")}</th>
            </tr>
          </thead>
          <tbody>
            {goal.agreement_history.map((step, i) => (
              <tr key={`${step.at}-${i}`}>
                <th scope="row">{formatDate(step.at, language)}</th>
                <td>{say("event", step.event)}</td>
                <td>{party(step.party_id)}</td>
                <td>
                  {step.decision ? say("decision", step.decision) : step.outcome ? say("outcome", step.outcome) : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <GoalActions
        goalId={goal.goal_id}
        partyLabel={party}
        onChanged={() => {
          void client.invalidateQueries({ queryKey: ["client-report", report.client_id] });
          void client.invalidateQueries({ queryKey: ["goal", goal.goal_id] });
        }}
      />
    </section>
  );
}

/** Session feedback beside the goals, for each of the client's open episodes that the therapist is part of. */
function ClientEpisodesFeedback({ clientId }: { clientId: string }) {
  const episodes = useEpisodes().data?.items.filter((e) => e.client_id === clientId && e.status === "open") ?? [];
  return (
    <>
      {episodes.map((e) => (
        <SessionFeedback key={e.episode_id} episodeId={e.episode_id} />
      ))}
    </>
  );
}

/** One client: the reporting service's report (goals, agreement, progress, questionnaires, safety signals), the
 * check-ins they chose to share and the FHIR export, exactly as the APIs return them for the person asking. */
export default function ClientReport() {
  const { ct, language } = useClinicianT();
  const clientId = useParams().clientId ?? "";
  const report = useQuery({
    queryKey: ["client-report", clientId],
    queryFn: () =>
      unwrap(api.GET("/api/v1/reporting/clients/{client_id}/report", { params: { path: { client_id: clientId } } })),
  });
  return (
    <article className="clinician wide">
      <ClinicianNav />
      <h1>
        {report.data ? <ClientName id={clientId} name={report.data.client_name} /> : ct("client.title")}
      </h1>
      <p>
        <a href={`/api/v1/reporting/clients/${encodeURIComponent(clientId)}/fhir`} download={`client-${clientId}.fhir.json`}>
          {ct("client.fhir")}
        </a>
      </p>
      {report.isPending ? (
        <Loading />
      ) : !report.data ? (
        <LoadFailed error={report.error} />
      ) : (
        <>
          <p>{ct("client.generated", { when: formatDate(report.data.generated_at, language) })}</p>
          <PreferredName clientId={clientId} current={report.data.client_name ?? null} />
          {report.data.safety_signals && report.data.safety_signals.length > 0 && (
            <section aria-labelledby="client-safety" className="safety-signals">
              <h2 id="client-safety">{ct("client.safety")}</h2>
              <ul>
                {report.data.safety_signals.map((s) => (
                  <li key={s.signal_id}>
                    {ct("client.safetyItem", { instrument: s.instrument, when: formatDate(s.raised_at, language) })}
                  </li>
                ))}
              </ul>
            </section>
          )}
          <ClientWarnings warnings={report.data.warnings} />
          {report.data.goals.length === 0 && <p>{ct("client.noGoals")}</p>}
          {report.data.goals.map((goal) => (
            <GoalSection key={goal.goal_id} goal={goal} report={report.data} />
          ))}
          <ClientEpisodesFeedback clientId={clientId} />
          {report.data.questionnaires && <Questionnaires scores={report.data.questionnaires} />}
          <CheckIns clientId={clientId} />
          <DataRights clientId={clientId} />
        </>
      )}
    </article>
  );
}
