import { defineConfig } from "@playwright/test";

// Benchmarks in a browser against the real stack (web/e2e-stack/*.bench.ts): started by bench/clinician_live.py,
// which passes the gateway's URL. Never part of a test run (the test configs match *.spec.ts only).
const baseURL = process.env.ACCORD_WEB_BASE_URL;
if (!baseURL) throw new Error("ACCORD_WEB_BASE_URL is not set: run through bench/clinician_live.py");

export default defineConfig({
  testDir: "e2e-stack",
  testMatch: "**/*.bench.ts",
  forbidOnly: true,
  retries: 0,
  workers: 1,
  timeout: 30 * 60_000,
  expect: { timeout: 30_000 },
  reporter: [["list"]],
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    serviceWorkers: "block",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
  },
});
