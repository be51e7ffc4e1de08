import type { components } from "../api/schema";

export type FeedbackInstrument = components["schemas"]["FeedbackInstrument"];
export type Words = components["schemas"]["Words"];

/** An instrument's text in the app's language (its texts come in English and Welsh, from the tenant's settings). */
export function inLanguage(words: Words, language: string): string {
  return language.startsWith("cy") ? words.cy : words.en;
}

export const SCALE = Array.from({ length: 11 }, (_, i) => i);
