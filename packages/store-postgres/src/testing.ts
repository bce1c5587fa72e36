import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll } from "vitest";
import { channelFor } from "./channels.js";

/**
 * For tests of agentrt on PostgreSQL (this package's and the server's multi-node tests). The server
 * they run against: `AGENTRT_TEST_POSTGRES_URL`, which CI sets and which, unset, the vitest global
 * setup `config/throwaway-postgres.ts` sets to a throwaway server it starts. A server that does not
 * answer fails the tests: they are never skipped.
 */
function configuredUrl(): string {
  const url = process.env.AGENTRT_TEST_POSTGRES_URL;
  if (!url) {
    throw new Error(
      "AGENTRT_TEST_POSTGRES_URL is unset: run PostgreSQL tests with the global setup config/throwaway-postgres.ts, which starts a server when it is",
    );
  }
  return url;
}

async function answering(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return url;
  } catch (error) {
    throw new Error(`AGENTRT_TEST_POSTGRES_URL=${url} does not answer: ${String(error)}`);
  } finally {
    await client.end().catch(() => {});
  }
}

export const postgresUrl: string = await answering(configuredUrl());

const created: string[] = [];

/** A fresh schema name for one test; every schema handed out is dropped after the file. */
export function freshSchema(): string {
  const name = `agentrt_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  created.push(name);
  return name;
}

/** A database URL on a fresh schema (`?schema=`), for a server process; dropped after the file. */
export function freshDatabaseUrl(): string {
  const url = new URL(postgresUrl);
  url.searchParams.set("schema", freshSchema());
  return url.toString();
}

afterAll(async () => {
  if (created.length === 0) return;
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
  const client = new pg.Client(postgresUrl);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
