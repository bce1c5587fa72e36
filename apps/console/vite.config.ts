import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Served by @agentrt/server under /console (it copies dist/ into its own package at build time).
export default defineConfig({
  base: "/console/",
  plugins: [react()],
  // `pnpm --filter @agentrt/console dev`: the page from Vite, the API from a server on the default port.
  server: { proxy: { "/v1": process.env.AGENTRT_URL ?? "http://127.0.0.1:7070" } },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
});
