#!/usr/bin/env node
import { runCli } from "./cli.js";

// exitCode, not exit(): `serve` and `dev` return once listening and the server keeps the process alive.
process.exitCode = await runCli(process.argv.slice(2));
