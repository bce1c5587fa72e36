import { resolve } from "node:path";
import type { RunningServer } from "@agentrt/server";
import { defineCommand, listOption, type OptionValues } from "../command.js";
import { EXIT_OK } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { hostOptionHelp, hostOptions, serverConfigFromFlags } from "../server-config.js";

const serverOptions = {
  ...hostOptions,
  port: { type: "string" },
  host: { type: "string" },
  "data-dir": { type: "string" },
} as const;

const serverOptionHelp = [
  ...hostOptionHelp,
  "--port <n>               listen port (default: AGENTRT_PORT or 7070)",
  "--host <address>         listen address (default: AGENTRT_HOST or 127.0.0.1)",
  "--data-dir <path>        store directory (default: AGENTRT_DATA_DIR or .agentrt)",
];

export interface StartOptions {
  /** `dev`: rebuild the extra template dirs and the `--watch` dirs on change. */
  dev?: boolean;
  /** Close on SIGINT/SIGTERM (default true); off in tests that run commands in-process. */
  handleSignals?: boolean;
}

/** Starts the server like `agentrt-server` does, with flags applied, and prints its banner to `io`. */
export async function startFromFlags(
  values: OptionValues,
  io: CliIo,
  { dev = false, handleSignals = true }: StartOptions = {},
): Promise<RunningServer> {
  const config = await serverConfigFromFlags(values, io);
  const { runServer } = await import("@agentrt/server");
  if (!dev) return runServer(config, { write: io.stdout, handleSignals });
  const watch = [...config.templateDirs, ...listOption(values, "watch").map((d) => resolve(io.cwd, d))];
  if (watch.length === 0) {
    io.stderr("agentrt dev: nothing to watch; pass --watch <template dir> or --template-dir\n");
  }
  // JSON lines are for log collectors; a developer at a terminal reads pretty ones.
  return runServer(config, {
    write: io.stdout,
    handleSignals,
    watch,
    prettyLogs: process.stdout.isTTY === true,
  });
}

export const serveCommand = defineCommand({
  name: "serve",
  summary: "Start the agentrt server (configured by AGENTRT_* environment variables and these flags)",
  usage: "[options]",
  optionHelp: serverOptionHelp,
  options: serverOptions,
  positionals: { min: 0, max: 0 },
  async run({ values }, io) {
    // The listening server keeps the process alive until SIGINT/SIGTERM.
    await startFromFlags(values, io);
    return EXIT_OK;
  },
});

export const devCommand = defineCommand({
  name: "dev",
  summary:
    "Development server: like serve, and template packages' sources are rebuilt and reloaded on every change",
  usage: "[options]",
  optionHelp: [
    ...serverOptionHelp,
    "--watch <dir>            template package (with src/) to rebuild on change (repeatable);",
    "                         extra template dirs are watched too",
  ],
  options: { ...serverOptions, watch: { type: "string", multiple: true } },
  positionals: { min: 0, max: 0 },
  async run({ values }, io) {
    await startFromFlags(values, io, { dev: true });
    return EXIT_OK;
  },
});
