import { defineConfig } from "@playwright/test";

// Browser tests against the real stack: every service, the gateway serving web/dist, the development identity
// provider. Started by tests/e2e/test_web_app_in_a_browser.py, which passes the gateway's URL.
const baseURL = process.env.ACCORD_WEB_BASE_URL;
if (!baseURL) throw new Error("ACCORD_WEB_BASE_URL is not set: run through tests/e2e/test_web_app_in_a_browser.py");

export default defineConfig({
  testDir: "e2e-stack",
  forbidOnly: true,
  retries: 0,
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [["list"]],
  use: {
    baseURL,
    viewport: { width: 390, height: 844 },
    serviceWorkers: "block",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
  },
});
