import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Served by @agentrt/server under /console (it copies dist/ into its own package at build time).
export default defineConfig({
  base: "/console/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
});
