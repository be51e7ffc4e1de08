import { writeFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { fillPhq9WithItem9AboveZero, safetySignalSeenAt, SEND_ANSWERS, signedIn, watchForSafetySignals } from "./clinician-helpers";

// Casey submits a PHQ-9 with item 9 above 0, again and again; each time, how long until the new safety signal shows on
// Alex's open caseload in another browser context: from just before the click on "Send my answers" (the benchmark's
// clock) to the moment the page's DOM holds it (the page's Date.now(), the same machine's clock).
test("submit to visible on the therapist's caseload", async ({ browser }) => {
  const runs = Number(process.env.ACCORD_BENCH_RUNS ?? "10");
  const out = process.env.ACCORD_BENCH_OUT;
  if (!out) throw new Error("ACCORD_BENCH_OUT is not set: run through bench/clinician_live.py");
  const alex = await signedIn(browser, "Alex");
  await watchForSafetySignals(alex);
  await alex.reload();
  await expect(alex.getByRole("heading", { name: "Caseload", level: 1 })).toBeVisible();
  const casey = await signedIn(browser, "Casey");

  const delays: number[] = [];
  for (let n = 1; n <= runs + 1; n++) {
    await fillPhq9WithItem9AboveZero(casey);
    const submitted = Date.now();
    await casey.getByRole("button", { name: SEND_ANSWERS }).click();
    const seen = await safetySignalSeenAt(alex, n);
    if (n > 1) delays.push(seen - submitted); // the first is a warm-up: connections and code paths still cold
    await expect(casey.getByText(/Thank you\. Your answers are saved/)).toBeVisible();
  }
  writeFileSync(out, JSON.stringify({ delays_ms: delays }));
});
