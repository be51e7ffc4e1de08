/**
 * Turns the codes the goals and reporting services send about a goal into catalogue keys, so a clinician reads
 * words, never a code. The codes are:
 * - lifecycle: the goals service's GoalStatus (draft, proposed, active, paused, closed) and the FHIR
 *   lifecycleStatus the reporting service derives (proposed, active, on-hold, completed, cancelled, rejected);
 * - achievement: FHIR Goal.achievementStatus (shared/.../contracts/progress.py AchievementStatus);
 * - event: the goals event types the reporting service keeps in a goal's agreement history;
 * - decision / outcome: Decision and GoalOutcome in shared/.../contracts/goals.py;
 * - action: the goals service's history strings (`_log` in services/goals/.../domain/goals.py).
 * An unknown code (a newer service) still reads as words: the code with its separators as spaces.
 */
import { useClinicianT } from "./i18n";

export type GoalCodeKind = "lifecycle" | "achievement" | "event" | "decision" | "outcome" | "action";

/** Either a catalogue key (with the values its sentence needs) or words made from an unknown code. */
export type GoalWord = { key: string; values?: Record<string, GoalWord> } | { text: string };

export const GOAL_CODES: Record<GoalCodeKind, Record<string, string>> = {
  lifecycle: {
    draft: "goalWords.lifecycle.draft",
    proposed: "goalWords.lifecycle.proposed",
    active: "goalWords.lifecycle.active",
    paused: "goalWords.lifecycle.paused",
    "on-hold": "goalWords.lifecycle.onHold",
    closed: "goalWords.lifecycle.closed",
    completed: "goalWords.lifecycle.completed",
    cancelled: "goalWords.lifecycle.cancelled",
    rejected: "goalWords.lifecycle.rejected",
  },
  achievement: {
    "in-progress": "goalWords.achievement.inProgress",
    improving: "goalWords.achievement.improving",
    worsening: "goalWords.achievement.worsening",
    "no-change": "goalWords.achievement.noChange",
    achieved: "goalWords.achievement.achieved",
    sustaining: "goalWords.achievement.sustaining",
    "not-achieved": "goalWords.achievement.notAchieved",
    "no-progress": "goalWords.achievement.noProgress",
    "not-attainable": "goalWords.achievement.notAttainable",
  },
  event: {
    GoalProposed: "goalWords.event.proposed",
    GoalRevisionProposed: "goalWords.event.revisionProposed",
    GoalAgreementRecorded: "goalWords.event.agreementRecorded",
    GoalAgreed: "goalWords.event.agreed",
    GoalVisibilityChanged: "goalWords.event.visibilityChanged",
    GoalPaused: "goalWords.event.paused",
    GoalResumed: "goalWords.event.resumed",
    GoalClosed: "goalWords.event.closed",
  },
  decision: {
    agree: "goalWords.decision.agree",
    decline: "goalWords.decision.decline",
  },
  outcome: {
    achieved: "goalWords.outcome.achieved",
    partly_achieved: "goalWords.outcome.partlyAchieved",
    not_achieved: "goalWords.outcome.notAchieved",
    no_longer_relevant: "goalWords.outcome.noLongerRelevant",
    replaced: "goalWords.outcome.replaced",
  },
  action: {
    drafted: "goalWords.action.drafted",
    "edited draft": "goalWords.action.editedDraft",
    proposed: "goalWords.action.proposed",
    "recorded agree": "goalWords.action.recordedAgree",
    "recorded decline": "goalWords.action.recordedDecline",
    "proposed revision": "goalWords.action.proposedRevision",
    "made private": "goalWords.action.madePrivate",
    "made shared": "goalWords.action.madeShared",
    paused: "goalWords.action.paused",
    resumed: "goalWords.action.resumed",
    closed: "goalWords.action.closed",
  },
};

// "asked to close as <outcome>": the outcome is itself a code, said in words inside the sentence.
const ASKED_TO_CLOSE = /^asked to close as (\S+)$/;

/** "GoalSomethingNew" / "no_longer_relevant" / "on-hold" → "goal something new" / "no longer relevant" / "on hold". */
function asWords(code: string): GoalWord {
  const words = code
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/[_\-\s]+/g, " ")
    .trim()
    .toLowerCase();
  if (!words) return { key: "goalWords.other" };
  return { text: words.charAt(0).toUpperCase() + words.slice(1) };
}

export function goalWord(kind: GoalCodeKind, code: string): GoalWord {
  const known = GOAL_CODES[kind][code];
  if (known) return { key: known };
  if (kind === "action") {
    const asked = ASKED_TO_CLOSE.exec(code);
    if (asked) return { key: "goalWords.action.askedToClose", values: { outcome: goalWord("outcome", asked[1]!) } };
  }
  return asWords(code);
}

/** `say("achievement", goal.achievement_status)`: the code in the reader's language. */
export function useGoalWords() {
  const { ct } = useClinicianT();
  const spoken = (word: GoalWord): string => {
    if ("text" in word) return word.text;
    const values = Object.fromEntries(Object.entries(word.values ?? {}).map(([name, value]) => [name, spoken(value)]));
    return ct(word.key, values);
  };
  return (kind: GoalCodeKind, code: string) => spoken(goalWord(kind, code));
}
