// Copies the browser files the server serves into its own dist/, so the published package carries
// them: the console's static build (dist/console) and the API reference bundle (dist/docs).
import { cpSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const root = join(import.meta.dirname, "..");
const require = createRequire(join(root, "package.json"));
/** A dependency's directory; `@scalar/api-reference` exports no package.json, so from its main entry. */
const distOf = (name: string) => dirname(require.resolve(name));

mkdirSync(join(root, "dist", "docs"), { recursive: true });
cpSync(
  join(distOf("@scalar/api-reference"), "browser", "standalone.js"),
  join(root, "dist", "docs", "scalar.js"),
);
cpSync(
  join(dirname(require.resolve("@agentrt/console/package.json")), "dist"),
  join(root, "dist", "console"),
  { recursive: true },
);
