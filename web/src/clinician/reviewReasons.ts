/**
 * Turns the reporting service's review reason codes (`review_reasons` in
 * services/reporting/.../domain/goals.py) into catalogue keys. The codes are: the progress service's
 * ReviewReason values (no_recent_entry, worsening, past_due), "suggested" when a suggestion carried no reason,
 * and review_interval_elapsed. A code naming a number of days (no_progress_for_28_days) keeps its number for the
 * sentence; anything else falls back to a generic "suggested for review" rather than showing a raw code.
 */
export type ReviewReasonText = { key: string; days?: number };

const KNOWN: Record<string, string> = {
  no_recent_entry: "reviews.reason.noRecentEntry",
  worsening: "reviews.reason.worsening",
  past_due: "reviews.reason.pastDue",
  review_interval_elapsed: "reviews.reason.reviewIntervalElapsed",
  suggested: "reviews.reason.suggested",
};

const NO_PROGRESS_FOR_DAYS = /^no_(?:progress|entries|entry)_for_(\d+)_days?$/;

export function reviewReasonText(code: string): ReviewReasonText {
  const known = KNOWN[code];
  if (known) return { key: known };
  const days = NO_PROGRESS_FOR_DAYS.exec(code);
  if (days) return { key: "reviews.reason.noEntriesForDays", days: Number(days[1]) };
  return { key: "reviews.reason.suggested" };
}
