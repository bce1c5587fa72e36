// A throwaway host app for benchmarks: the fixture templates plus the built first-party templates.
//
// Knobs for comparing checkouts and stores with the same bench code:
//   BENCH_ROOT=/path/to/other/checkout  measures that checkout's built server (default: this one),
//     e.g. `BENCH=api BENCH_ROOT=/work/base node bench/run.ts` against `BENCH=api node bench/run.ts`.
//   BENCH_STORE=postgres  runs the server on PostgreSQL (a fresh schema on BENCH_POSTGRES_URL, or
//     AGENTRT_TEST_POSTGRES_URL, default the local server) instead of the embedded SQLite.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type * as Server from "@agentrt/server";

/** The checkout whose server is measured. */
export const BENCH_ROOT = resolve(process.env.BENCH_ROOT ?? join(import.meta.dirname, ".."));
const serverDir = join(BENCH_ROOT, "apps/server");
const { parseEnv, startServer }: typeof Server = await import(join(serverDir, "dist/index.js"));
const { createFixtureHost } = await import(join(BENCH_ROOT, "fixtures/templates/create-host.mjs"));

export const POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ??
  process.env.AGENTRT_TEST_POSTGRES_URL ??
  "postgres://postgres@127.0.0.1:5432/postgres";
/** Resolves a package as the measured server does (one copy of pg, of @opentelemetry/api). */
export const requireFromServer = createRequire(join(serverDir, "package.json"));
/** The part of pg the bench uses: pg is a dependency of the PostgreSQL store, not of the bench. */
interface PgClient {
  connect(): Promise<unknown>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
const pg = requireFromServer("pg") as {
  Client: new (config: { connectionString: string; connectionTimeoutMillis: number }) => PgClient;
};

/** A fresh schema on POSTGRES_URL: its URL for AGENTRT_DATABASE_URL, and `drop` to remove it. */
export async function postgresSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `agentrt_bench_${randomBytes(4).toString("hex")}`;
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("schema", schema);
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Which store `startBenchServer` uses: `sqlite` (default) or `postgres` (BENCH_STORE). */
export const BENCH_STORE = process.env.BENCH_STORE === "postgres" ? "postgres" : "sqlite";

export const FIRST_PARTY = [
  "@agentrt/template-task",
  "@agentrt/template-conversation",
  "@agentrt/template-custom",
];

export function firstPartyLinks(): Record<string, string> {
  return Object.fromEntries(
    FIRST_PARTY.map((name) => [name, dirname(requireFromServer.resolve(`${name}/package.json`))]),
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
  const postgres = BENCH_STORE === "postgres" ? await postgresSchema() : undefined;
  const server = await startServer(
    parseEnv({
      AGENTRT_PORT: "0",
      AGENTRT_DATA_DIR: dataDir,
      ...(postgres ? { AGENTRT_DATABASE_URL: postgres.url } : {}),
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
      await postgres?.drop();
      rmSync(dataDir, { recursive: true, force: true });
      host.remove();
    },
  };
}
