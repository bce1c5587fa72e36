#!/usr/bin/env node
import { nodeVersionProblem } from "./node-version.js";

// Checked before the rest loads: on an older Node that would fail with an obscure error, or not at all.
const problem = nodeVersionProblem(process.version, process.execPath);
if (problem) {
  process.stderr.write(problem);
  process.exit(1);
}
const { runCli } = await import("./cli.js");
// exitCode, not exit(): `serve` and `dev` return once listening and the server keeps the process alive.
process.exitCode = await runCli(process.argv.slice(2));
