import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe } from "vitest";

/**
 * The PostgreSQL server the multi-node tests use: `AGENTRT_TEST_POSTGRES_URL` (CI sets it; a server
 * it names must answer, or the tests fail), else a local default when one answers. With neither,
 * these tests are skipped with that reason: the rest of `pnpm test` needs no PostgreSQL.
 */
const configured = process.env.AGENTRT_TEST_POSTGRES_URL;
const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres";

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    if (configured) throw new Error(`AGENTRT_TEST_POSTGRES_URL=${url} does not answer: ${String(error)}`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export const postgresUrl = (await answers(configured ?? DEFAULT_URL))
  ? (configured ?? DEFAULT_URL)
  : undefined;
if (!postgresUrl)
  console.warn(
    `multi-node tests skipped: no PostgreSQL (AGENTRT_TEST_POSTGRES_URL unset, nothing at ${DEFAULT_URL})`,
  );

export function describePostgres(name: string, body: () => void): void {
  describe.skipIf(postgresUrl === undefined)(name, body);
}

const schemas: string[] = [];

/** A database URL on a fresh schema, dropped after the file. */
export function freshDatabaseUrl(): string {
  const schema = `agentrt_nodes_${process.pid}_${randomBytes(4).toString("hex")}`;
  schemas.push(schema);
  const url = new URL(postgresUrl!);
  url.searchParams.set("schema", schema);
  return url.toString();
}

afterAll(async () => {
  if (!postgresUrl || schemas.length === 0) return;
  const client = new pg.Client(postgresUrl);
  await client.connect();
  try {
    for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});
