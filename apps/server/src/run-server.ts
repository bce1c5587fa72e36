import type { Logger } from "@agentrt/core";
import type { ServerConfig } from "./env.js";
import { createPrettyLogger } from "./lib/logger.js";
import { type RunningServer, type StartOptions, startServer } from "./server.js";

export interface RunServerOptions extends StartOptions {
  logger?: Logger;
  /** Human-readable log lines instead of JSON (`agentrt dev` on a terminal). */
  prettyLogs?: boolean;
  /** Where the start-up banner goes; stdout by default. */
  write?: (text: string) => void;
  /** Close the server and exit on SIGINT/SIGTERM (default true). */
  handleSignals?: boolean;
}

/**
 * Starts the server as the job of a process (`agentrt-server`, `agentrt serve|dev`): prints the
 * one-time admin key and the address, and shuts down cleanly on SIGINT/SIGTERM.
 */
export async function runServer(
  config: ServerConfig,
  options: RunServerOptions = {},
): Promise<RunningServer> {
  const {
    logger,
    prettyLogs = false,
    write = (text) => process.stdout.write(text),
    handleSignals = true,
    ...start
  } = options;
  const server = await startServer(
    config,
    logger ?? (prettyLogs ? await createPrettyLogger(config.logLevel) : undefined),
    start,
  );
  // Handlers first: whoever waits for the banner may signal at once, and a signal that arrives
  // before a listener exists kills the process with the default action.
  if (handleSignals) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      });
    }
  }
  if (server.generatedAdminKey) {
    // Printed once, on the first start of an empty store; only its hash is kept.
    write(
      `\nagentrt generated an admin API key (shown only this once, store it now):\n\n  ${server.generatedAdminKey}\n\n`,
    );
  }
  write(`agentrt listening on ${server.url} (docs: ${server.url}/docs)\n`);
  return server;
}
