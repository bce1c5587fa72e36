import { resolve } from "node:path";
import { validateAllowEntry } from "@agentrt/egress";
import { parseDuration, type RetentionOptions } from "@agentrt/runtime";
import { z } from "zod";
import { tracingConfigured } from "./lib/tracing.js";
import { operatorError } from "./operator-error.js";

const list = z
  .string()
  .optional()
  .transform((v) =>
    v
      ? v
          .split(/[,:]/)
          .map((s) => s.trim())
          .filter(Boolean)
      : [],
  );

/** Egress allow-list entries (host names, IPs, CIDR ranges), `,` or space separated; IPv6 has colons. */
const egressAllowList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const entries = (v ?? "").split(/[\s,]+/).filter(Boolean);
    for (const entry of entries) {
      const problem = validateAllowEntry(entry);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }
    return entries;
  });

const json = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v) return {};
    try {
      const parsed: unknown = JSON.parse(v);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {}
    ctx.addIssue({ code: "custom", message: "must be a JSON object" });
    return z.NEVER;
  });

/** A duration (`90s`, `12h`, `30d`) or `off` (also `0`): milliseconds, or null when off. */
const durationOrOff = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      if (v === "off" || v === "0") return null;
      const ms = parseDuration(v);
      if (ms !== undefined && ms > 0) return ms;
      ctx.addIssue({ code: "custom", message: "a duration such as 90s, 45m, 12h or 30d, or off" });
      return z.NEVER;
    });

/** A switch: `1`/`true`/`on` or `0`/`false`/`off`. */
const onOff = (fallback: "on" | "off") =>
  z
    .enum(["1", "0", "true", "false", "on", "off"])
    .default(fallback)
    .transform((v) => v === "1" || v === "true" || v === "on");

/** A positive count or `off` (also `0`). */
const countOrOff = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      if (v === "off" || v === "0") return null;
      if (/^\d{1,9}$/.test(v)) return Number(v);
      ctx.addIssue({ code: "custom", message: "a positive whole number, or off" });
      return z.NEVER;
    });

/** Every setting the server reads, parsed once. Names are the environment variables. */
export const EnvSchema = z.object({
  AGENTRT_HOST: z.string().default("127.0.0.1"),
  AGENTRT_PORT: z.coerce.number().int().min(0).max(65535).default(7070),
  /** Where the embedded store keeps its data file (and discovery its cache). */
  AGENTRT_DATA_DIR: z.string().default(".agentrt"),
  /**
   * The store: unset for the embedded SQLite file in the data dir, `sqlite:<file>`, or `memory:`
   * (nothing kept), or `postgres://…` for several nodes on one PostgreSQL (`?schema=` picks the schema).
   */
  AGENTRT_DATABASE_URL: z.string().optional(),
  /** The host app whose package.json dependencies are scanned for templates. */
  AGENTRT_HOST_DIR: z.string().optional(),
  /** Extra template directories, `:` or `,` separated. */
  AGENTRT_TEMPLATE_DIRS: list,
  /** Per-template operator settings, JSON: `{ "custom": { "codeRoot": "./code" } }`. */
  AGENTRT_TEMPLATE_SETTINGS: json,
  /** Bootstrap admin key; when unset and no key exists, one is generated and printed once. */
  AGENTRT_ADMIN_KEY: z.string().min(20).optional(),
  AGENTRT_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  AGENTRT_MAX_JSON_DEPTH: z.coerce.number().int().min(4).max(512).default(64),
  AGENTRT_RUN_CONCURRENCY: z.coerce.number().int().min(1).default(16),
  AGENTRT_RUN_CONCURRENCY_PER_AGENT: z.coerce.number().int().min(1).default(4),
  AGENTRT_RUN_MAX_QUEUED: z.coerce.number().int().min(0).default(1000),
  AGENTRT_RUN_TIMEOUT_MS: z.coerce.number().int().min(100).default(300_000),
  AGENTRT_RUN_MAX_TIMEOUT_MS: z.coerce.number().int().min(100).default(3_600_000),
  /**
   * On PostgreSQL: `all` accepts and executes runs; `api` serves the API and executes none (its runs
   * go to executing nodes); `worker` executes runs and serves only /health, /ready and /metrics.
   */
  AGENTRT_ROLE: z.enum(["all", "api", "worker"]).default("all"),
  /** On PostgreSQL: how long a node's lease lasts unrenewed, so how soon a killed node's runs move on. */
  AGENTRT_LEASE_MS: z.coerce.number().int().min(300).max(600_000).default(30_000),
  AGENTRT_WEBHOOK_SECRET: z.string().optional(),
  /**
   * Internal destinations run webhooks may reach (a receiver inside the cluster): host names, IP
   * addresses or CIDR ranges. Every other loopback, private, link-local … target is refused.
   */
  AGENTRT_WEBHOOK_ALLOW_INTERNAL: egressAllowList,
  AGENTRT_SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).default(15_000),
  /** An event stream whose client takes nothing for this long while data waits is closed. */
  AGENTRT_SSE_STALL_MS: z.coerce.number().int().min(100).default(30_000),
  /** Cache template metadata verdicts in the data dir between start-ups (`0`/`false`/`off` disables). */
  AGENTRT_DISCOVERY_CACHE: onOff("on"),
  /** The npm registry `GET /v1/templates/catalog` searches. */
  AGENTRT_NPM_REGISTRY: z.url().default("https://registry.npmjs.org"),
  /** Deadline for one catalog search against that registry. */
  AGENTRT_CATALOG_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  /** Retention (see README "Retention"): finished runs older than this are removed with their events. */
  AGENTRT_RETENTION_RUN_MAX_AGE: durationOrOff("30d"),
  /** Newest runs kept per agent (finished ones beyond are removed). */
  AGENTRT_RETENTION_RUN_MAX_COUNT: countOrOff("off"),
  /** Token deltas of runs finished this long ago are dropped; the run's output and error stay. */
  AGENTRT_RETENTION_COMPACT_EVENTS_AFTER: durationOrOff("off"),
  /** Threads (and their checkpoints) unused this long are deleted. */
  AGENTRT_RETENTION_THREAD_IDLE: durationOrOff("off"),
  /** Newest runs kept per schedule. */
  AGENTRT_RETENTION_SCHEDULE_RUN_MAX_COUNT: countOrOff("1000"),
  /** How long a removed run's id answers RUN_EXPIRED / RUN_DELETED rather than RUN_NOT_FOUND. */
  AGENTRT_RETENTION_TOMBSTONE_TTL: durationOrOff("30d"),
  /** Pause between pruning passes. */
  AGENTRT_RETENTION_INTERVAL: durationOrOff("1m"),
  /**
   * Rows one pruning write touches at most. Each batch has a fixed cost (the edges of every index it
   * touches are rewritten): at 100, a pruned run wrote ~50 % more WAL than at 200 (bench/prune-wal.ts).
   */
  AGENTRT_RETENTION_BATCH: z.coerce.number().int().min(1).max(10_000).default(200),
  /** Label token metrics with the agent name: one series per agent, so off by default. */
  AGENTRT_METRICS_AGENT_LABEL: onOff("off"),
  /** The web console at `/console` (`0`/`false`/`off` disables). */
  AGENTRT_CONSOLE: onOff("on"),
  AGENTRT_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /**
   * Requests per API key and scope class (the scope a route needs) per rate-limit window; `0`
   * means unlimited. A key's own `rateLimits` override these.
   */
  AGENTRT_RATE_LIMIT_READ: z.coerce.number().int().min(0).default(1200),
  AGENTRT_RATE_LIMIT_INVOKE: z.coerce.number().int().min(0).default(600),
  AGENTRT_RATE_LIMIT_ADMIN: z.coerce.number().int().min(0).default(300),
  AGENTRT_RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
  /** On SIGTERM: how long in-flight requests and runs may take to finish before they are interrupted. */
  AGENTRT_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /**
   * TEST ONLY, never set in production. On PostgreSQL, nodes invalidate each other's caches by
   * notification with re-reading entries older than 5 s as the safety net; `notify-only` turns the
   * safety net off and `age-only` drops the notifications, so a test shows each holds alone.
   */
  AGENTRT_TEST_INVALIDATIONS: z.enum(["notify-only", "age-only"]).optional(),
});

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** `AGENTRT_DATABASE_URL`; undefined means the embedded default. */
  databaseUrl: string | undefined;
  hostDir: string;
  templateDirs: string[];
  templateSettings: Record<string, unknown>;
  /** Keep discovery's manifest verdicts in `<dataDir>/discovery-cache.json`. */
  discoveryCache: boolean;
  npmRegistry: string;
  catalogTimeoutMs: number;
  adminKey: string | undefined;
  bodyLimitBytes: number;
  maxJsonDepth: number;
  runs: { concurrency: number; perAgent: number; maxQueued: number; timeoutMs: number; maxTimeoutMs: number };
  /** `AGENTRT_LEASE_MS`: node lease on a shared (PostgreSQL) store. */
  leaseMs: number;
  /** `AGENTRT_ROLE`: what this node does on a shared store. */
  role: "all" | "api" | "worker";
  webhookSecret: string | undefined;
  /** Egress allow-list of run webhooks (`AGENTRT_WEBHOOK_ALLOW_INTERNAL`). */
  webhookAllowInternal: string[];
  sseHeartbeatMs: number;
  sseStallMs: number;
  /** The retention policy and how the background pruner paces itself. */
  retention: RetentionOptions;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** `AGENTRT_METRICS_AGENT_LABEL`: token metrics by agent. */
  metricsAgentLabel: boolean;
  /** Traces are exported: the standard `OTEL_*` variables name an exporter or an OTLP endpoint. */
  tracing: boolean;
  /** Default requests per key and scope class per window (0: unlimited). */
  rateLimits: { read: number; invoke: number; admin: number; windowSeconds: number };
  shutdownGraceMs: number;
  /** Serve the web console at `/console` (`AGENTRT_CONSOLE`). */
  console: boolean;
  /** Test only (`AGENTRT_TEST_INVALIDATIONS`): one of the two cross-node invalidation mechanisms alone. */
  testInvalidations: "notify-only" | "age-only" | undefined;
}

/** What a variable accepts, read from its schema: the bounds of a number, the options of an enum. */
function allowedValues(name: string): string | undefined {
  let schema = (EnvSchema.shape as Record<string, z.ZodType>)[name];
  // Through `.default()`, `.optional()` and `.transform()` to the schema that checks the value.
  while (schema && "innerType" in schema._zod.def) schema = schema._zod.def.innerType as z.ZodType;
  if (schema && "in" in schema._zod.def) schema = schema._zod.def.in as z.ZodType;
  if (schema instanceof z.ZodNumber) {
    const kind = schema.isInt ? "an integer" : "a number";
    const { minValue: min, maxValue: max } = schema;
    // `.int()` alone bounds a number by the safe integers: no bound worth naming.
    const finite = (n: number | null): n is number => n !== null && Math.abs(n) < Number.MAX_SAFE_INTEGER;
    if (finite(min) && finite(max)) return `must be ${kind} from ${min} to ${max}`;
    if (finite(min)) return `must be ${kind} of at least ${min}`;
    return `must be ${kind}`;
  }
  if (schema instanceof z.ZodEnum) return `must be one of: ${schema.options.join(", ")}`;
  return undefined;
}

/** Secrets are never echoed back, whatever is wrong with them. */
const SECRET = /KEY|SECRET|PASSWORD|TOKEN/;

/**
 * Parses configuration from an environment. Every bad variable is reported, one line each naming
 * it and what it accepts, in one operator error.
 */
export function parseEnv(env: Record<string, string | undefined>, cwd = process.cwd()): ServerConfig {
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const value = env[name];
      const shown =
        value === undefined || SECRET.test(name) ? "" : ` (got ${JSON.stringify(value.slice(0, 60))})`;
      return `invalid ${name}: ${allowedValues(name) ?? issue.message}${shown}`;
    });
    throw operatorError(lines.join("\n"));
  }
  const e = result.data;
  return {
    host: e.AGENTRT_HOST,
    port: e.AGENTRT_PORT,
    dataDir: resolve(cwd, e.AGENTRT_DATA_DIR),
    databaseUrl: e.AGENTRT_DATABASE_URL,
    hostDir: resolve(cwd, e.AGENTRT_HOST_DIR ?? "."),
    templateDirs: e.AGENTRT_TEMPLATE_DIRS.map((d) => resolve(cwd, d)),
    templateSettings: e.AGENTRT_TEMPLATE_SETTINGS,
    discoveryCache: e.AGENTRT_DISCOVERY_CACHE,
    npmRegistry: e.AGENTRT_NPM_REGISTRY,
    catalogTimeoutMs: e.AGENTRT_CATALOG_TIMEOUT_MS,
    adminKey: e.AGENTRT_ADMIN_KEY,
    bodyLimitBytes: e.AGENTRT_BODY_LIMIT_BYTES,
    maxJsonDepth: e.AGENTRT_MAX_JSON_DEPTH,
    leaseMs: e.AGENTRT_LEASE_MS,
    role: e.AGENTRT_ROLE,
    runs: {
      concurrency: e.AGENTRT_RUN_CONCURRENCY,
      perAgent: e.AGENTRT_RUN_CONCURRENCY_PER_AGENT,
      maxQueued: e.AGENTRT_RUN_MAX_QUEUED,
      timeoutMs: e.AGENTRT_RUN_TIMEOUT_MS,
      maxTimeoutMs: e.AGENTRT_RUN_MAX_TIMEOUT_MS,
    },
    webhookSecret: e.AGENTRT_WEBHOOK_SECRET,
    webhookAllowInternal: e.AGENTRT_WEBHOOK_ALLOW_INTERNAL,
    sseHeartbeatMs: e.AGENTRT_SSE_HEARTBEAT_MS,
    sseStallMs: e.AGENTRT_SSE_STALL_MS,
    retention: {
      policy: {
        runMaxAgeMs: e.AGENTRT_RETENTION_RUN_MAX_AGE,
        runMaxCount: e.AGENTRT_RETENTION_RUN_MAX_COUNT,
        compactEventsAfterMs: e.AGENTRT_RETENTION_COMPACT_EVENTS_AFTER,
        threadIdleMs: e.AGENTRT_RETENTION_THREAD_IDLE,
        scheduleRunMaxCount: e.AGENTRT_RETENTION_SCHEDULE_RUN_MAX_COUNT,
      },
      // `off` keeps tombstones and passes at their longest sensible setting rather than never.
      intervalMs: e.AGENTRT_RETENTION_INTERVAL ?? 3_600_000,
      batchSize: e.AGENTRT_RETENTION_BATCH,
      pauseMs: 20,
      tombstoneTtlMs: e.AGENTRT_RETENTION_TOMBSTONE_TTL ?? 365 * 86_400_000,
      reclaimBytesPerPass: 64 * 1024 * 1024,
    },
    logLevel: e.AGENTRT_LOG_LEVEL,
    metricsAgentLabel: e.AGENTRT_METRICS_AGENT_LABEL,
    tracing: tracingConfigured(env),
    rateLimits: {
      read: e.AGENTRT_RATE_LIMIT_READ,
      invoke: e.AGENTRT_RATE_LIMIT_INVOKE,
      admin: e.AGENTRT_RATE_LIMIT_ADMIN,
      windowSeconds: e.AGENTRT_RATE_LIMIT_WINDOW_S,
    },
    shutdownGraceMs: e.AGENTRT_SHUTDOWN_GRACE_MS,
    console: e.AGENTRT_CONSOLE,
    testInvalidations: e.AGENTRT_TEST_INVALIDATIONS,
  };
}
