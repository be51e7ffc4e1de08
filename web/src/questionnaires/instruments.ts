import type { Instrument } from "../api/types";

/** Item counts of the standard public-domain questionnaires; their wording is in the catalogues
 * (q.phq9.1 ... q.gad7.7), answers 0-3. */
export const ITEMS: Record<Instrument, number> = { "PHQ-9": 9, "GAD-7": 7 };
export const ANSWERS = [0, 1, 2, 3] as const;

export function itemKey(instrument: Instrument, n: number): string {
  return `q.${instrument === "PHQ-9" ? "phq9" : "gad7"}.${n}`;
}

/** PHQ-9 item 9 (thoughts of being better off dead or of self-harm) above 0: offer support at once. The service
 * says so too (support_offered); this is for when its answer cannot arrive (offline). */
export function needsSupport(instrument: Instrument, answers: (number | null)[]): boolean {
  return instrument === "PHQ-9" && (answers[8] ?? 0) > 0;
}
