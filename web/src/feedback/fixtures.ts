import type { FeedbackInstrument } from "./words";

/** Accord's own four questions as the progress service sends them (tests only). */
export const w = (en: string) => ({ en, cy: `${en} (cy)` });
export const ACCORD_FOUR: FeedbackInstrument = {
  code: "accord-session-4",
  name: w("How was today's session?"),
  validated: false,
  licence: null,
  items: [
    { key: "heard", question: w("I felt heard and respected"), low: w("Not at all"), high: w("Completely") },
    { key: "what_i_wanted", question: w("We worked on what I wanted to work on"), low: w("Not at all"), high: w("Completely") },
    { key: "way_we_worked", question: w("The way we worked suited me"), low: w("Not at all"), high: w("Completely") },
    { key: "overall", question: w("Overall, today's session was right for me"), low: w("Not right for me"), high: w("Just right") },
  ],
};
