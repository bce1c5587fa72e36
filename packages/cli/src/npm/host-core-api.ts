import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { CORE_API_VERSION } from "@agentrt/core";

export interface HostCoreApi {
  version: string;
  /** Where it was read: the host's installed server, its own core, or (neither installed) this CLI. */
  source: string;
}

/** The `@agentrt/core` entry a package at `from` resolves (core is ESM-only: through its package.json). */
function coreEntry(from: string): string | undefined {
  try {
    const manifestFile = createRequire(from).resolve("@agentrt/core/package.json");
    const { main } = JSON.parse(readFileSync(manifestFile, "utf8")) as { main?: string };
    return main ? join(dirname(manifestFile), main) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The core API the host app's server runs: templates are checked against the core its
 * `@agentrt/server` loads, not the one this CLI was installed with (they can differ).
 */
export async function hostCoreApi(hostDir: string): Promise<HostCoreApi> {
  const hostManifest = join(hostDir, "package.json");
  let serverManifest: string | undefined;
  try {
    serverManifest = createRequire(hostManifest).resolve("@agentrt/server/package.json");
  } catch {
    serverManifest = undefined;
  }
  const candidates: [string, string][] = [
    ...(serverManifest ? ([[serverManifest, "the host's @agentrt/server"]] as [string, string][]) : []),
    [hostManifest, "the host's @agentrt/core"],
  ];
  for (const [from, source] of candidates) {
    const entry = existsSync(from) ? coreEntry(from) : undefined;
    if (!entry) continue;
    const core = (await import(pathToFileURL(entry).href)) as { CORE_API_VERSION?: unknown };
    if (typeof core.CORE_API_VERSION === "string") return { version: core.CORE_API_VERSION, source };
  }
  return {
    version: CORE_API_VERSION,
    source: "this CLI's @agentrt/core (no @agentrt/server in the host app)",
  };
}
