import { describe, expect, it } from "vitest";
import cy from "./clinician.cy.json";
import en from "./clinician.en.json";
import { GOAL_CODES, goalWord, type GoalCodeKind } from "./goalWords";

type Tree = { [key: string]: string | Tree };

function lookup(tree: Tree, key: string): string | undefined {
  const found = key.split(".").reduce<string | Tree | undefined>((node, part) => (node as Tree | undefined)?.[part], tree);
  return typeof found === "string" ? found : undefined;
}

// The codes the services send today (their enums and the goals service's history strings), written out here so a
// code dropped from the module's table fails this test rather than quietly reading as fallback words.
const SENT: Record<GoalCodeKind, string[]> = {
  lifecycle: ["draft", "proposed", "active", "paused", "closed", "on-hold", "completed", "cancelled", "rejected"],
  achievement: ["in-progress", "improving", "worsening", "no-change", "achieved", "sustaining", "not-achieved", "no-progress", "not-attainable"],
  event: [
    "GoalProposed",
    "GoalRevisionProposed",
    "GoalAgreementRecorded",
    "GoalAgreed",
    "GoalVisibilityChanged",
    "GoalPaused",
    "GoalResumed",
    "GoalClosed",
  ],
  decision: ["agree", "decline"],
  outcome: ["achieved", "partly_achieved", "not_achieved", "no_longer_relevant", "replaced"],
  action: [
    "drafted",
    "edited draft",
    "proposed",
    "recorded agree",
    "recorded decline",
    "proposed revision",
    "made private",
    "made shared",
    "paused",
    "resumed",
    "closed",
  ],
};

describe("a goal's codes in words", () => {
  it("has an English and a Welsh sentence for every code the services send", () => {
    for (const [kind, codes] of Object.entries(SENT) as [GoalCodeKind, string[]][]) {
      for (const code of codes) {
        const word = goalWord(kind, code);
        expect(word, `${kind} ${code}`).toHaveProperty("key");
        const key = (word as { key: string }).key;
        expect(lookup(en as Tree, key)?.trim(), key).toBeTruthy();
        expect(lookup(cy as Tree, key)?.trim(), key).toBeTruthy();
      }
    }
    for (const [kind, table] of Object.entries(GOAL_CODES)) {
      for (const key of Object.values(table)) {
        expect(lookup(en as Tree, key), `${kind} ${key}`).toBeTruthy();
        expect(lookup(cy as Tree, key), `${kind} ${key}`).toBeTruthy();
      }
    }
  });

  it("says an ask to close with the outcome in words", () => {
    expect(goalWord("action", "asked to close as partly_achieved")).toEqual({
      key: "goalWords.action.askedToClose",
      values: { outcome: { key: "goalWords.outcome.partlyAchieved" } },
    });
    expect(lookup(en as Tree, "goalWords.action.askedToClose")).toContain("{{outcome}}");
  });

  it("reads an unknown code as words, never a blank", () => {
    expect(goalWord("lifecycle", "entered-in-error")).toEqual({ text: "Entered in error" });
    expect(goalWord("event", "GoalCategoryChanged")).toEqual({ text: "Goal category changed" });
    expect(goalWord("outcome", "moved_to_another_service")).toEqual({ text: "Moved to another service" });
    expect(goalWord("action", "asked to close as handed_over")).toEqual({
      key: "goalWords.action.askedToClose",
      values: { outcome: { text: "Handed over" } },
    });
    expect(goalWord("decision", "")).toEqual({ key: "goalWords.other" });
    expect(goalWord("decision", "__")).toEqual({ key: "goalWords.other" });
  });
});
