// The young person's first screen in Chromium, through the Chrome DevTools Protocol. Run by web_first_screen.py,
// which starts the stack and passes ACCORD_BENCH_* (not meant to be run on its own).
//
// For each profile (unthrottled, then CPU 4x + "Slow 3G") and each run: a fresh browser context holding only the
// signed-in session cookie (cold: empty HTTP cache, no service worker, no IndexedDB), then a second visit in the same
// context once the service worker controls it (warm). The page records, from navigation start:
//   usable: the Today heading ("Hi <name>") and at least one "Record progress" control visible and enabled
//   lcp:    the last largest-contentful-paint entry before `usable`
// plus every request's resource timing (the waterfall).
import { createRequire } from "node:module";

const require = createRequire(new URL("../web/package.json", import.meta.url));
const { chromium } = require("@playwright/test");

const base = process.env.ACCORD_BENCH_BASE_URL;
const runs = Number(process.env.ACCORD_BENCH_RUNS ?? "5");
const user = process.env.ACCORD_BENCH_USER ?? "Sam";
const profiles = JSON.parse(process.env.ACCORD_BENCH_PROFILES);

// Runs before any of the page's scripts (CDP Page.addScriptToEvaluateOnNewDocument, so the page's CSP allows it).
function probe(name) {
  const marks = { usable: null, lcp: null };
  window.__firstScreen = marks;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (marks.usable === null) marks.lcp = entry.startTime;
  }).observe({ type: "largest-contentful-paint", buffered: true });
  const visible = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const check = () => {
    if (marks.usable !== null) return;
    const heading = [...document.querySelectorAll("h1")].find((h) => h.textContent.trim() === `Hi ${name}`);
    const record = [...document.querySelectorAll("a, button")].find(
      (el) => el.textContent.trim() === "Record progress" && !el.disabled && el.getAttribute("aria-disabled") !== "true",
    );
    if (visible(heading) && visible(record)) marks.usable = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
}

async function visit(context, profile) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: profile.cpu });
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: profile.latency_ms,
    downloadThroughput: profile.download_bytes_per_s,
    uploadThroughput: profile.upload_bytes_per_s,
  });
  await page.addInitScript(probe, user);
  await page.goto(base + "/", { waitUntil: "commit" });
  await page.waitForFunction(() => window.__firstScreen?.usable !== null, null, { timeout: 120_000, polling: 50 });
  const result = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const controlled = Boolean(navigator.serviceWorker?.controller);
    const requests = performance.getEntriesByType("resource").map((r) => ({
      url: r.name.replace(location.origin, ""),
      start: Math.round(r.startTime),
      end: Math.round(r.responseEnd),
      transfer: r.transferSize,
      body: r.encodedBodySize,
      decoded: r.decodedBodySize,
    }));
    requests.unshift({
      url: nav.name.replace(location.origin, ""),
      start: 0,
      end: Math.round(nav.responseEnd),
      transfer: nav.transferSize,
      body: nav.encodedBodySize,
      decoded: nav.decodedBodySize,
    });
    return { ...window.__firstScreen, controlled, requests };
  });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
  });
  return { page, result };
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" });
try {
  // Sign in once through the gateway and the development identity provider; every context then starts from the
  // session cookie alone.
  const signing = await browser.newContext();
  const page = await signing.newPage();
  await page.goto(base + "/");
  await page.getByRole("button", { name: `Sign in as ${user}` }).click();
  await page.getByRole("heading", { name: `Hi ${user}` }).waitFor({ timeout: 60_000 });
  const cookies = await signing.cookies();
  await signing.close();

  const out = [];
  for (let i = 0; i < runs; i++) {
    for (const profile of profiles) {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, serviceWorkers: "allow" });
      await context.addCookies(cookies);
      const cold = await visit(context, profile);
      // The service worker installs and precaches after the first visit; the warm visit starts once it is active
      // (a new navigation is then controlled by it).
      // The page also stays until its requests are over and the query cache has been written to IndexedDB (the
      // persister writes at most once a second), as a real first visit would before the person leaves.
      await cold.page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      await cold.page.waitForLoadState("networkidle");
      await cold.page.waitForTimeout(2000);
      await cold.page.close();
      const warm = await visit(context, profile);
      await warm.page.close();
      await context.close();
      out.push({ run: i, profile: profile.name, cold: cold.result, warm: warm.result });
      process.stderr.write(
        `run ${i} ${profile.name}: cold ${Math.round(cold.result.usable)} ms, warm ${Math.round(warm.result.usable)} ms\n`,
      );
    }
  }
  process.stdout.write(JSON.stringify(out));
} finally {
  await browser.close();
}
