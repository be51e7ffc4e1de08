import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import type { components, operations } from "../api/schema";
import { formatDate } from "../i18n";
import { LoadFailed, Loading } from "../screens/common";
import { ClientName } from "./ClientName";
import { useClinicianT } from "./i18n";

type Entry = components["schemas"]["CaseloadEntry"];
type Query = NonNullable<operations["caseload_reporting_caseload_get"]["parameters"]["query"]>;

const COLUMNS = [
  ["client_id", "caseload.client"],
  ["active_goals", "caseload.activeGoals"],
  ["last_progress_at", "caseload.lastProgress"],
  ["goals_due_for_review", "caseload.reviews"],
  ["unseen_safety_signals", "caseload.safety"],
  ["milestones_reached_this_week", "caseload.milestones"],
] as const;
type Column = (typeof COLUMNS)[number][0];

export interface Filters {
  with_active_goals: boolean;
  due_for_review: boolean;
  unseen_safety_signals: boolean;
  no_progress_days: string;
}

export const PAGE_SIZE = 25;

/** The query the API is asked: only the filters that are on, the sort, and the page's cursor. */
export function caseloadQuery(sort: string, filters: Filters, cursor: string | null): Query {
  const days = Number.parseInt(filters.no_progress_days, 10);
  return {
    sort,
    limit: PAGE_SIZE,
    ...(filters.with_active_goals && { with_active_goals: true }),
    ...(filters.due_for_review && { due_for_review: true }),
    ...(filters.unseen_safety_signals && { unseen_safety_signals: true }),
    ...(days > 0 && { no_progress_days: days }),
    ...(cursor && { cursor }),
  };
}

function Needs({ entry }: { entry: Entry }) {
  const { ct } = useClinicianT();
  const needs = [
    entry.unseen_safety_signals > 0 && ct("caseload.needsSafety"),
    entry.undelivered_safety_alerts > 0 && ct("caseload.needsAlert"),
    entry.goals_due_for_review.length > 0 && ct("caseload.needsReview", { count: entry.goals_due_for_review.length }),
  ].filter((n): n is string => Boolean(n));
  // Early warnings (misalignment, low or falling session feedback): a prompt with a next step, never a score.
  const warnings = entry.warnings ?? [];
  if (needs.length === 0 && warnings.length === 0) return <>{ct("caseload.nothing")}</>;
  return (
    <ul className="needs">
      {needs.map((n) => (
        <li key={n}>{n}</li>
      ))}
      {warnings.map((w, i) => (
        <li key={`${w.kind}-${w.goal_id ?? w.episode_id ?? i}`} className="early-warning">
          {ct(`caseload.warning.${w.kind}`)} <strong>{ct(`caseload.step.${w.suggested_step}`)}</strong>
        </li>
      ))}
    </ul>
  );
}

/** Clients sortable and filterable on the server, paged by the API's cursors: the therapist's own (each opens their
 * report) or, for a supervisor, a team's (read-only: a supervisor may not open a client's report, so no link). */
export function CaseloadTable({ teamId }: { teamId?: string }) {
  const { ct, language } = useClinicianT();
  const [sort, setSort] = useState<string>("client_id");
  const [filters, setFilters] = useState<Filters>({
    with_active_goals: false,
    due_for_review: false,
    unseen_safety_signals: false,
    no_progress_days: "",
  });
  // The cursors of the pages before this one (the first page has none): "previous" pops, "next" pushes.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const query = caseloadQuery(sort, filters, cursor);
  const page = useQuery({
    queryKey: ["caseload", teamId ?? "own", query],
    placeholderData: keepPreviousData,
    queryFn: () =>
      teamId
        ? unwrap(api.GET("/api/v1/reporting/teams/{team_id}/caseload", { params: { path: { team_id: teamId }, query } }))
        : unwrap(api.GET("/api/v1/reporting/caseload", { params: { query } })),
  });
  const restart = () => setCursors([null]);
  const sortBy = (column: Column) => {
    setSort((now) => (now === column ? `-${column}` : column));
    restart();
  };
  const toggle = (name: "with_active_goals" | "due_for_review" | "unseen_safety_signals") => {
    setFilters((now) => ({ ...now, [name]: !now[name] }));
    restart();
  };
  const sortedColumn = sort.replace(/^-/, "");
  const direction = sort.startsWith("-") ? "descending" : "ascending";
  const columnLabel = COLUMNS.find(([c]) => c === sortedColumn)?.[1] ?? "caseload.client";

  return (
    <>
      <fieldset className="filters">
        <legend>{ct("caseload.filters")}</legend>
        {(["with_active_goals", "due_for_review", "unseen_safety_signals"] as const).map((name) => (
          <label key={name}>
            <input type="checkbox" checked={filters[name]} onChange={() => toggle(name)} />{" "}
            {ct(
              name === "with_active_goals"
                ? "caseload.withActiveGoals"
                : name === "due_for_review"
                  ? "caseload.dueForReview"
                  : "caseload.unseenSafety",
            )}
          </label>
        ))}
        <label>
          {ct("caseload.noProgressDays")}{" "}
          <input
            type="number"
            min={1}
            max={366}
            inputMode="numeric"
            value={filters.no_progress_days}
            onChange={(e) => {
              setFilters((now) => ({ ...now, no_progress_days: e.target.value }));
              restart();
            }}
          />
        </label>
      </fieldset>
      {page.isPending ? (
        <Loading />
      ) : !page.data ? (
        <LoadFailed error={page.error} />
      ) : (
        <>
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrolling table must be reachable by keyboard (WCAG 2.1.1) */}
          <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="caseload-caption">
            <table className="data-table">
              <caption id="caseload-caption">
                {ct(teamId ? "caseload.teamCaption" : "caseload.caption", {
                  sort: `${ct(columnLabel)} (${ct(`caseload.${direction}`)})`,
                })}
              </caption>
              <thead>
                <tr>
                  {COLUMNS.map(([column, label]) => (
                    <th
                      key={column}
                      scope="col"
                      aria-sort={sortedColumn === column ? direction : undefined}
                    >
                      <button type="button" className="sort-button" onClick={() => sortBy(column)}>
                        {ct(label)}
                        <span className="visually-hidden"> {ct("caseload.sortBy", { column: ct(label) })}</span>
                      </button>
                    </th>
                  ))}
                  <th scope="col">{ct(teamId ? "caseload.needsTeam" : "caseload.needs")}</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((entry) => (
                  <tr key={entry.client_id}>
                    <th scope="row">
                      {teamId ? (
                        <ClientName id={entry.client_id} name={entry.client_name} />
                      ) : (
                        <Link to={`/clients/${entry.client_id}`}>
                          <ClientName id={entry.client_id} name={entry.client_name} />
                        </Link>
                      )}
                    </th>
                    <td>{entry.active_goals}</td>
                    <td>
                      {entry.last_progress_at ? formatDate(entry.last_progress_at, language) : ct("caseload.never")}
                    </td>
                    <td>{entry.goals_due_for_review.length}</td>
                    <td>{entry.unseen_safety_signals}</td>
                    <td>{entry.milestones_reached_this_week}</td>
                    <td>
                      <Needs entry={entry} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {page.data.items.length === 0 && <p>{ct("caseload.empty")}</p>}
          <nav className="pager" aria-label={ct("caseload.page", { page: cursors.length })}>
            <button type="button" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
              {ct("caseload.previous")}
            </button>
            <span>{ct("caseload.page", { page: cursors.length })}</span>
            <button
              type="button"
              disabled={!page.data.next_cursor}
              onClick={() => {
                const next = page.data.next_cursor;
                if (next) setCursors((c) => [...c, next]);
              }}
            >
              {ct("caseload.next")}
            </button>
          </nav>
        </>
      )}
    </>
  );
}
