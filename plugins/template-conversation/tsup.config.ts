import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node24",
  // The entry stays cheap to import: `import()`ed modules must become their own chunks, not be
  // inlined into index.js (esbuild inlines them when splitting is off).
  splitting: true,
  // Keep `node:` specifiers: `node:sqlite` exists only under its prefixed name.
  removeNodeProtocol: false,
});
