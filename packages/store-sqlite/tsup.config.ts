import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/checkpointer.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node24",
  // Keep `node:` specifiers: `node:sqlite` exists only under its prefixed name.
  removeNodeProtocol: false,
});
