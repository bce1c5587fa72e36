#!/usr/bin/env node
import { isAgentrtError } from "@agentrt/core";
import { parseEnv } from "./env.js";
import { runServer } from "./run-server.js";

try {
  await runServer(parseEnv(process.env));
} catch (error) {
  // A refusal to start (bad config, data directory in use) is one line for the operator, not a stack.
  if (!isAgentrtError(error)) throw error;
  process.stderr.write(`agentrt: ${error.code}: ${error.message}\n`);
  process.exitCode = 1;
}
