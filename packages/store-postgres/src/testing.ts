import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe } from "vitest";
import { channelFor } from "./channels.js";

/**
 * For tests of agentrt on PostgreSQL (this package's and the server's multi-node tests). The server
 * they run against: `AGENTRT_TEST_POSTGRES_URL` (CI sets it, and a server it names must answer, or
 * the tests fail). Unset, a local default server is tried; when
 * none answers the PostgreSQL tests are skipped with that reason, so `pnpm test` on a laptop
 * without PostgreSQL still passes the rest.
 */
const configured = process.env.AGENTRT_TEST_POSTGRES_URL;
const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres";

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch (error) {
    if (configured) throw new Error(`AGENTRT_TEST_POSTGRES_URL=${url} does not answer: ${String(error)}`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export const postgresUrl: string | undefined = (await reachable(configured ?? DEFAULT_URL))
  ? (configured ?? DEFAULT_URL)
  : undefined;

if (!postgresUrl) {
  console.warn(
    `PostgreSQL tests skipped: AGENTRT_TEST_POSTGRES_URL is unset and nothing answers at ${DEFAULT_URL}`,
  );
}

/** Declares PostgreSQL tests: skipped (reason printed above) when no server is available. */
export function describePostgres(name: string, body: () => void): void {
  describe.skipIf(postgresUrl === undefined)(name, body);
}

const created: string[] = [];

/** A fresh schema name for one test; every schema handed out is dropped after the file. */
export function freshSchema(): string {
  const name = `agentrt_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  created.push(name);
  return name;
}

/** A database URL on a fresh schema (`?schema=`), for a server process; dropped after the file. */
export function freshDatabaseUrl(): string {
  const url = new URL(postgresUrl!);
  url.searchParams.set("schema", freshSchema());
  return url.toString();
}

afterAll(async () => {
  if (!postgresUrl || created.length === 0) return;
  const client = new pg.Client(postgresUrl);
  await client.connect();
  try {
    for (const schema of created.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});

/**
 * Backend pids of the nodes' listening (LISTEN) connections on `schema`, found by the channel
 * their last statement listened on; tests end them with `terminateBackends` to cut a node's bus off.
 */
export async function busListeners(schema: string): Promise<number[]> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND position($1 in query) > 0 ORDER BY pid",
      [channelFor(schema, "events")],
    );
    return rows.map((row) => row.pid);
  });
}

/** Ends these server backends (`pg_terminate_backend`), as a network cut or a server restart would. */
export async function terminateBackends(pids: number[]): Promise<void> {
  if (pids.length === 0) return;
  await withClient((client) =>
    client.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [pids]),
  );
}

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(postgresUrl!);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
