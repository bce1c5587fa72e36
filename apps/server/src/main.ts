#!/usr/bin/env node
import { isAgentrtError } from "@agentrt/core";
import { parseEnv } from "./env.js";
import { isOperatorError } from "./operator-error.js";
import { runServer } from "./run-server.js";

try {
  await runServer(parseEnv(process.env));
} catch (error) {
  // What the operator can fix (bad config, port or data directory in use) is a line per problem;
  // anything else is a bug and keeps its stack.
  if (isOperatorError(error)) {
    for (const line of error.message.split("\n")) process.stderr.write(`agentrt: ${line}\n`);
  } else if (isAgentrtError(error)) {
    process.stderr.write(`agentrt: ${error.code}: ${error.message}\n`);
  } else throw error;
  process.exitCode = 1;
}
