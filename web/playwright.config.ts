import { defineConfig, devices } from "@playwright/test";

// Browser tests of the built app (vite preview) with the API answered by an in-memory fake (e2e/fakeApi.ts):
// every screen through axe-core, keyboard-only journeys, offline recording. Debian's Chromium, never a downloaded one.
const port = Number(process.env.ACCORD_WEB_E2E_PORT ?? 4317);
const chromium = { launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" } };

export default defineConfig({
  testDir: "e2e",
  forbidOnly: true,
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    serviceWorkers: "block", // the fake answers page requests; a service worker would take them out of its reach
    ...chromium,
  },
  projects: [
    { name: "mobile", use: { ...devices["Desktop Chrome"], viewport: { width: 390, height: 844 }, hasTouch: true, ...chromium } },
    // Desktop: the layout checks (axe on every screen) and the README's screenshots; the journeys run once, on the phone.
    {
      name: "desktop",
      grep: /WCAG|accessibly|screenshot:/,
      use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, ...chromium },
    },
  ],
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
