/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|webmanifest)$/;

/** Writes `<file>.br` and `<file>.gz` beside every text file of the build: the gateway sends the copy the browser
 * accepts (services/gateway/.../webapp.py), compressed once here at the highest level instead of per request. */
function precompress(): Plugin {
  let outDir = "dist";
  return {
    name: "accord-precompress",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle: {
      order: "post",
      sequential: true,
      handler() {
        for (const name of readdirSync(outDir, { recursive: true, encoding: "utf8" })) {
          if (!COMPRESSIBLE.test(name) || name.startsWith(".vite")) continue;
          const file = join(outDir, name);
          const data = readFileSync(file);
          if (data.length < 1024) continue; // smaller than a packet: not worth a second variant
          writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
          writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
        }
      },
    },
  };
}

/** The app's catalogues, as they are, beside index.html: the gateway renders the young person's first screen into
 * the page with the app's own words (services/gateway/.../first_screen.py), not a copy of them. */
function locales(): Plugin {
  let root = ".";
  return {
    name: "accord-locales",
    apply: "build",
    configResolved(config) {
      root = config.root;
    },
    generateBundle() {
      const read = (language: string): unknown =>
        JSON.parse(readFileSync(resolve(root, `src/i18n/${language}.json`), "utf8"));
      const source = JSON.stringify({ en: read("en"), cy: read("cy") });
      this.emitFile({ type: "asset", fileName: "locales.json", source });
    },
  };
}

// The app is served by the gateway at / beside the API (/api/v1) and the sign-in routes (/auth); in development
// Vite proxies those to a gateway started with scripts/up (ACCORD_GATEWAY_URL to point elsewhere).
const gateway = process.env.ACCORD_GATEWAY_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [
    react(),
    precompress(),
    locales(),
    VitePWA({
      // Our own service worker (src/sw.ts) built from Workbox modules: precaching plus the Web Push handlers.
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      registerType: "autoUpdate",
      injectRegister: false,
      manifest: {
        name: "Accord",
        short_name: "Accord",
        description: "Your goals, agreed together",
        start_url: "/",
        scope: "/",
        display: "standalone",
        background_color: "#f7f5f0",
        theme_color: "#2f5d62",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      injectManifest: { globPatterns: ["**/*.{js,css,html,svg,png,webmanifest}"] },
      devOptions: { enabled: false },
    }),
  ],
  server: {
    proxy: { "/api": gateway, "/auth": gateway },
  },
  build: { target: "es2022", sourcemap: false, manifest: true },
  test: {
    environment: "jsdom",
    setupFiles: ["./vitest.setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
