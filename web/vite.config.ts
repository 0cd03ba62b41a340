/// <reference types="vitest/config" />
// Builds the SPA into dist/ (embedded into the eventkit binary, docs/adr/0042). `npm run dev`
// serves it on :5173 and proxies the API to a tenant API on :8080.
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";

const api = process.env.EVENTKIT_API_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    target: "es2022",
    sourcemap: false,
    assetsInlineLimit: 0,
    // The budget that matters is checked by scripts/check-budget.mjs (gzip of the initial route).
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      "/eventkit.v1.": api,
      "/.well-known": api,
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
