import { cp } from "node:fs/promises";
import { definePackageBuild } from "../../config/tsup.base.js";

export default definePackageBuild({
  // The child entries run as separate programs; the pool finds them next to index.js.
  entry: {
    index: "src/index.ts",
    // Just the error declarations, for templates whose entry must not load esbuild.
    errors: "src/errors.ts",
    "js-child": "src/js-child.ts",
    "py-child": "src/py-child.ts",
    "py-worker": "src/py-worker.ts",
  },
  dts: { entry: { index: "src/index.ts", errors: "src/errors.ts" } },
  splitting: false,
  external: ["isolated-vm", "pyodide", "esbuild"],
  // The children read the programs they load into their engines from `./harness/`, as in src/.
  onSuccess: () => cp("src/harness", "dist/harness", { recursive: true }),
});
