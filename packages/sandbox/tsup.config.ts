import { defineConfig } from "tsup";

export default defineConfig({
  // The child entries run as separate programs; the pool finds them next to index.js.
  entry: {
    index: "src/index.ts",
    "js-child": "src/js-child.ts",
    "py-child": "src/py-child.ts",
    "py-worker": "src/py-worker.ts",
  },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts" } },
  clean: true,
  sourcemap: true,
  splitting: false,
  target: "node24",
  // Keep `node:` specifiers: `node:sqlite` exists only under its prefixed name.
  removeNodeProtocol: false,
  external: ["isolated-vm", "pyodide", "esbuild"],
});
