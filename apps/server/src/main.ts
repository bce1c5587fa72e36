#!/usr/bin/env node
import { parseEnv } from "./env.js";
import { isOperatorError } from "./operator-error.js";
import { runServer } from "./run-server.js";

try {
  await runServer(parseEnv(process.env));
} catch (error) {
  // What the operator can fix is said in a line per problem; anything else is a bug and keeps its stack.
  if (!isOperatorError(error)) throw error;
  for (const line of error.message.split("\n")) process.stderr.write(`agentrt: ${line}\n`);
  process.exitCode = 1;
}
