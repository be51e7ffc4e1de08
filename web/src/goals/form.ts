import type { GoalContent, Milestone } from "../api/types";

/** What the goal form holds while it is typed (strings, as inputs give them). */
export interface GoalForm {
  goalId: string;
  statement: string;
  why: string;
  category: string;
  baseline: string;
  target: string;
  due: string;
  review: string;
  confidence: string;
  milestones: { id: string; description: string; threshold: string }[];
  /** Family members asked to agree this goal too (they see it for as long as they are named). */
  familyParties: string[];
  reason: string;
  override: string;
}

export const CATEGORIES = ["daily_living", "school_work", "relationships", "feelings", "health", "other"] as const;

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export function emptyGoalForm(): GoalForm {
  return {
    goalId: crypto.randomUUID(),
    statement: "",
    why: "",
    category: "daily_living",
    baseline: "2",
    target: "8",
    due: inDays(90),
    review: "14",
    confidence: "6",
    milestones: [],
    familyParties: [],
    reason: "",
    override: "",
  };
}

export function formOf(goalId: string, content: GoalContent): GoalForm {
  return {
    ...emptyGoalForm(),
    goalId,
    statement: content.statement,
    why: content.why_it_matters ?? "",
    category: content.category_code,
    baseline: String(content.baseline),
    target: String(content.target),
    due: content.due_date,
    review: String(content.review_interval_days),
    confidence: String(content.confidence),
    milestones: (content.milestones ?? []).map((m) => ({
      id: m.milestone_id,
      description: m.description,
      threshold: m.threshold == null ? "" : String(m.threshold),
    })),
    familyParties: content.family_party_ids ?? [],
  };
}

function num(text: string): number | null {
  if (text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** The goal's content as the API takes it: a 0-10 goal rating (Goal-Based Outcomes), in the young person's words.
 * Null while something needed is still missing (no SMART check is asked for then). */
export function contentOf(form: GoalForm): GoalContent | null {
  const baseline = num(form.baseline);
  const target = num(form.target);
  const review = num(form.review);
  const confidence = num(form.confidence);
  if (!form.statement.trim() || baseline === null || target === null || review === null || confidence === null)
    return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.due)) return null;
  const milestones: Milestone[] = form.milestones
    .filter((m) => m.description.trim())
    .map((m) => {
      const threshold = num(m.threshold);
      return threshold === null
        ? { milestone_id: m.id, kind: "action", description: m.description.trim(), threshold: null }
        : { milestone_id: m.id, kind: "threshold", description: m.description.trim(), threshold };
    });
  return {
    statement: form.statement.trim(),
    why_it_matters: form.why.trim(),
    category_code: form.category,
    measure: { kind: "goal_rating", minimum: 0, maximum: 10 },
    baseline,
    target,
    direction: target >= baseline ? "increase" : "decrease",
    due_date: form.due,
    review_interval_days: Math.round(review),
    confidence: Math.round(confidence),
    expressed_by: "client",
    milestones,
    family_party_ids: form.familyParties,
  };
}
