/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

// The app is served by the gateway at / beside the API (/api/v1) and the sign-in routes (/auth); in development
// Vite proxies those to a gateway started with scripts/up (ACCORD_GATEWAY_URL to point elsewhere).
const gateway = process.env.ACCORD_GATEWAY_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [
    react(),
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
