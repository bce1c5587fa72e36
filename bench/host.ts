// A throwaway host app for benchmarks: the fixture templates plus the built first-party templates.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseEnv, startServer } from "@agentrt/server";
// @ts-expect-error plain JS fixture helper
import { createFixtureHost } from "../fixtures/templates/create-host.mjs";

const root = resolve(import.meta.dirname, "..");
const serverDir = join(root, "apps/server");

export const FIRST_PARTY = [
  "@agentrt/template-task",
  "@agentrt/template-conversation",
  "@agentrt/template-custom",
];

export function firstPartyLinks(): Record<string, string> {
  const require = createRequire(join(serverDir, "package.json"));
  return Object.fromEntries(
    FIRST_PARTY.map((name) => [name, dirname(require.resolve(`${name}/package.json`))]),
  );
}

export function createBenchHost(
  options: { fixtures?: Record<string, string>; links?: Record<string, string> } = {},
) {
  const dir: string = createFixtureHost({ resolveFrom: serverDir, ...options });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The admin key every benchmark's server is started with. */
export const BENCH_KEY = "art_bench-admin-key-0123456789abcdefghijklmn";

/**
 * Starts agentrt in this process on a throwaway data dir and host app (fixtures plus `links`);
 * `close` stops it and removes both.
 */
export async function startBenchServer(
  options: { links?: Record<string, string>; env?: Record<string, string> } = {},
) {
  const dataDir = mkdtempSync(join(tmpdir(), "agentrt-bench-"));
  const host = createBenchHost({ links: options.links ?? {} });
  const server = await startServer(
    parseEnv({
      AGENTRT_PORT: "0",
      AGENTRT_DATA_DIR: dataDir,
      AGENTRT_HOST_DIR: host.dir,
      AGENTRT_ADMIN_KEY: BENCH_KEY,
      AGENTRT_LOG_LEVEL: "error",
      // A bench client is one key sending thousands of requests: the per-key limits would refuse it.
      AGENTRT_RATE_LIMIT_READ: "0",
      AGENTRT_RATE_LIMIT_INVOKE: "0",
      AGENTRT_RATE_LIMIT_ADMIN: "0",
      ...options.env,
    }),
  );
  return {
    url: server.url,
    dataDir,
    server,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
      host.remove();
    },
  };
}
