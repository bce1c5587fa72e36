import { resolve } from "node:path";
import type { ServerConfig } from "@agentrt/server";
import { listOption, type OptionValues, stringOption } from "./command.js";
import { UsageError } from "./exit-codes.js";
import type { CliIo } from "./io.js";

/** Options shared by every command that needs the server's configuration. */
export const hostOptions = {
  dir: { type: "string" },
  "template-dir": { type: "string", multiple: true },
} as const;

export const hostOptionHelp = [
  "--dir <path>             the host app whose dependencies are scanned (default: AGENTRT_HOST_DIR or .)",
  "--template-dir <path>    extra template directory (repeatable; adds to AGENTRT_TEMPLATE_DIRS)",
];

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, not "${value}"`);
  }
  return port;
}

/** The server's environment configuration (see @agentrt/server's env.ts) with command-line flags on top. */
export async function serverConfigFromFlags(values: OptionValues, io: CliIo): Promise<ServerConfig> {
  // Loaded on use: the server (and its SQLite store) is not needed by the other commands.
  const { parseEnv } = await import("@agentrt/server");
  const config = parseEnv(io.env, io.cwd);
  const dir = stringOption(values, "dir");
  const port = stringOption(values, "port");
  const host = stringOption(values, "host");
  const dataDir = stringOption(values, "data-dir");
  return {
    ...config,
    ...(dir ? { hostDir: resolve(io.cwd, dir) } : {}),
    ...(port ? { port: parsePort(port) } : {}),
    ...(host ? { host } : {}),
    ...(dataDir ? { dataDir: resolve(io.cwd, dataDir) } : {}),
    templateDirs: [
      ...config.templateDirs,
      ...listOption(values, "template-dir").map((d) => resolve(io.cwd, d)),
    ],
  };
}
