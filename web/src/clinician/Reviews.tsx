import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { formatDate } from "../i18n";
import { LoadFailed, Loading } from "../screens/common";
import { ClinicianNav } from "./ClinicianNav";
import { ClientName } from "./ClientName";
import { useClinicianT } from "./i18n";
import { reviewReasonText } from "./reviewReasons";

type Entry = components["schemas"]["CaseloadEntry"];

/** One client's goals suggested for review, each with the reasons the reporting service gives. */
function ClientReviews({ entry }: { entry: Entry }) {
  const { ct, language } = useClinicianT();
  const report = useQuery({
    queryKey: ["client-report", entry.client_id],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/reporting/clients/{client_id}/report", { params: { path: { client_id: entry.client_id } } }),
      ),
  });
  const due = new Set(entry.goals_due_for_review);
  const headingId = `reviews-${entry.client_id}`;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>
        <Link to={`/clients/${entry.client_id}`}>
          <ClientName id={entry.client_id} name={entry.client_name} />
        </Link>
      </h2>
      {report.isPending ? (
        <Loading />
      ) : !report.data ? (
        <LoadFailed error={report.error} />
      ) : (
        <ul>
          {report.data.goals
            .filter((g) => due.has(g.goal_id))
            .map((g) => (
              <li key={g.goal_id}>
                {/* The report carries no statement or client name: the goal is named by what the row does carry. */}
                <p>{g.due_date
                    ? ct("reviews.goal", { due: formatDate(g.due_date, language) })
                    : ct("reviews.goalNoDate")}</p>
                <ul aria-label={ct("reviews.reasonsLabel")}>
                  {(g.review_reasons?.length ? g.review_reasons : [null]).map((code, i) => {
                    if (code === null) return <li key="none">{ct("reviews.noReason")}</li>;
                    const { key, days } = reviewReasonText(code);
                    return <li key={`${code}-${i}`}>{days === undefined ? ct(key) : ct(key, { count: days })}</li>;
                  })}
                </ul>
                <Link to={`/clients/${entry.client_id}`}>{ct("reviews.act")}</Link>
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}

/** Goals the service suggests reviewing (the caseload's due-for-review filter), why, and the way to act. */
export default function Reviews() {
  const { ct } = useClinicianT();
  const page = useQuery({
    queryKey: ["caseload", "reviews"],
    queryFn: () =>
      unwrap(api.GET("/api/v1/reporting/caseload", { params: { query: { due_for_review: true, limit: 25 } } })),
  });
  return (
    <article className="clinician wide">
      <ClinicianNav />
      <h1>{ct("reviews.title")}</h1>
      {page.isPending ? (
        <Loading />
      ) : !page.data ? (
        <LoadFailed error={page.error} />
      ) : page.data.items.length === 0 ? (
        <p>{ct("reviews.none")}</p>
      ) : (
        page.data.items.map((entry) => <ClientReviews key={entry.client_id} entry={entry} />)
      )}
      {page.data?.next_cursor && <p>{ct("reviews.more")}</p>}
    </article>
  );
}
