import { createRequire } from "node:module";
import { createRateCounters, type RateCounters, type RunLeases, type Store } from "@agentrt/runtime";
import type pg from "pg";
import { RateLimiterPostgres } from "rate-limiter-flexible";
import { createAgentStore } from "./agent-store.js";
import { createApiKeyStore } from "./api-key-store.js";
import { createPostgresBus, type PostgresBus } from "./bus.js";
import { channelFor } from "./channels.js";
import type { PostgresCheckpointSaver } from "./checkpointer.js";
import { createPool, withAdvisoryLock } from "./database.js";
import { createRunLeases, newNodeId } from "./leases.js";
import { runMigrations } from "./migrate.js";
import { migrations } from "./migrations.js";
import { createRetentionStore } from "./retention-store.js";
import { createRunStore } from "./run-store.js";
import { createScheduleStore } from "./schedule-store.js";
import { createThreadStore } from "./thread-store.js";

export interface PostgresStoreOptions {
  /** `postgres://user:pass@host:port/db`; a `schema` query parameter picks the schema (default `public`). */
  url: string;
  /** Schema for every table; wins over the URL's `schema` parameter. Created if missing. */
  schema?: string | undefined;
  /** Connections in this node's pool (default 10). */
  poolSize?: number | undefined;
  /** This node's id in run leases (default: a fresh one per store). */
  nodeId?: string | undefined;
  /**
   * Whether runs this node inserts are held by it (default true). An API-only node leaves them to
   * be taken over by executing nodes.
   */
  holdsRuns?: boolean | undefined;
  /** Told when the bus's listening connection is lost (it reconnects by itself); for logging. */
  onBusError?: ((error: Error) => void) | undefined;
  /**
   * Test only: cache invalidations between nodes are neither sent nor heard (as if lost), so a test
   * can show that nodes' caches still catch up by age.
   */
  dropInvalidations?: boolean | undefined;
  /** Builds the checkpointer on first use; tests pass the class from source. Default: the package's own. */
  createCheckpointer?: ((pool: pg.Pool, schema: string) => PostgresCheckpointSaver) | undefined;
}

export interface PostgresStore extends Store {
  readonly kind: "postgres";
  readonly schema: string;
  /** The pool, for cluster helpers on the same database (LISTEN, leases). */
  readonly pool: pg.Pool;
  /** NOTIFY channel that hears `<runId> <firstSeq>` on every event append, on any node. */
  readonly eventChannel: string;
  /** LISTEN/NOTIFY between the nodes on this schema: event positions, cancel requests, cache invalidations. */
  readonly bus: PostgresBus;
  readonly leases: RunLeases;
  readonly rateCounters: RateCounters;
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** LangGraph's PostgreSQL checkpointer on the same schema (loaded on first access). */
  readonly checkpointer: PostgresCheckpointSaver;
}

/** The URL without agentrt's own `schema` parameter, which `pg` would pass on to the server. */
function splitUrl(url: string): { url: string; schema: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? undefined;
  parsed.searchParams.delete("schema");
  return { url: parsed.toString(), schema };
}

/** Connections that hold cluster locks (`exclusive`); a node waits for one beyond that. */
const LOCK_CONNECTIONS = 4;

function loadCheckpointer(pool: pg.Pool, schema: string): PostgresCheckpointSaver {
  const { PostgresCheckpointSaver: Saver } = createRequire(import.meta.url)(
    "@agentrt/store-postgres/checkpointer",
  ) as { PostgresCheckpointSaver: new (pool: pg.Pool, schema: string) => PostgresCheckpointSaver };
  return new Saver(pool, schema);
}

/**
 * Connects, brings the schema up to date (safe when several nodes start at once) and returns the
 * store. Every method is one statement or one transaction.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const split = splitUrl(options.url);
  const schema = options.schema ?? split.schema ?? "public";
  const pool = createPool(split.url, schema, options.poolSize ?? 10);
  try {
    await runMigrations(pool, schema, migrations);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const eventChannel = channelFor(schema, "events");
  const nodeId = options.nodeId ?? newNodeId();
  const bus = createPostgresBus({
    url: split.url,
    connectionName: `agentrt-bus ${nodeId}`,
    eventChannel,
    cancelChannel: channelFor(schema, "cancel"),
    workChannel: channelFor(schema, "work"),
    invalidateChannel: channelFor(schema, "invalidate"),
    dropInvalidations: options.dropInvalidations,
    notify: async (channel, payload) => {
      await pool.query("SELECT pg_notify($1, $2)", [channel, payload]);
    },
    onError: options.onBusError,
  });
  // Lock holders wait for and hold connections of their own, while their work queries through the
  // main pool: a holder never waits for a connection another holder keeps.
  const lockPool = createPool(split.url, schema, LOCK_CONNECTIONS);
  let checkpointer: PostgresCheckpointSaver | undefined;
  let closed = false;
  return {
    kind: "postgres",
    schema,
    pool,
    eventChannel,
    bus,
    agents: createAgentStore(pool),
    apiKeys: createApiKeyStore(pool),
    runs: createRunStore(pool, { eventChannel, owner: options.holdsRuns === false ? null : nodeId }),
    leases: createRunLeases(pool, nodeId),
    // The kept library's PostgreSQL limiter: one upsert per point taken, on the table of migration 5.
    rateCounters: createRateCounters(
      (limiter) =>
        new RateLimiterPostgres({
          ...limiter,
          storeClient: pool,
          storeType: "pool",
          tableName: "rate_limits",
          tableCreated: true,
        }),
    ),
    exclusive: (name, work) => withAdvisoryLock(lockPool, `agentrt.lock ${name}`, work),
    schedules: createScheduleStore(pool),
    threads: createThreadStore(pool),
    retention: createRetentionStore(pool, schema),
    get checkpointer() {
      checkpointer ??= (options.createCheckpointer ?? loadCheckpointer)(pool, schema);
      return checkpointer;
    },
    async ping() {
      await pool.query("SELECT 1");
    },
    async close() {
      if (closed) return;
      closed = true;
      await bus.close();
      await Promise.all([pool.end(), lockPool.end()]);
    },
  };
}
