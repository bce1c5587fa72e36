import { resolve } from "node:path";
import { validateAllowEntry } from "@agentrt/egress";
import { z } from "zod";

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

/** Every setting the server reads, parsed once. Names are the environment variables. */
export const EnvSchema = z.object({
  AGENTRT_HOST: z.string().default("127.0.0.1"),
  AGENTRT_PORT: z.coerce.number().int().min(0).max(65535).default(7070),
  /** Where the embedded store keeps its data file (and discovery its cache). */
  AGENTRT_DATA_DIR: z.string().default(".agentrt"),
  /**
   * The store: unset for the embedded SQLite file in the data dir, `sqlite:<file>`, or `memory:`
   * (nothing kept). `postgres://…` is recognised for the multi-node store, not shipped yet.
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
  AGENTRT_WEBHOOK_SECRET: z.string().optional(),
  /**
   * Internal destinations run webhooks may reach (a receiver inside the cluster): host names, IP
   * addresses or CIDR ranges. Every other loopback, private, link-local … target is refused.
   */
  AGENTRT_WEBHOOK_ALLOW_INTERNAL: egressAllowList,
  AGENTRT_SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).default(15_000),
  /** Cache template metadata verdicts in the data dir between start-ups (`0`/`false`/`off` disables). */
  AGENTRT_DISCOVERY_CACHE: z
    .enum(["1", "0", "true", "false", "on", "off"])
    .default("on")
    .transform((v) => v === "1" || v === "true" || v === "on"),
  /** The npm registry `GET /v1/templates/catalog` searches. */
  AGENTRT_NPM_REGISTRY: z.url().default("https://registry.npmjs.org"),
  /** Deadline for one catalog search against that registry. */
  AGENTRT_CATALOG_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  /** The web console at `/console` (`0`/`false`/`off` disables). */
  AGENTRT_CONSOLE: z
    .enum(["1", "0", "true", "false", "on", "off"])
    .default("on")
    .transform((v) => v === "1" || v === "true" || v === "on"),
  AGENTRT_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
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
  webhookSecret: string | undefined;
  /** Egress allow-list of run webhooks (`AGENTRT_WEBHOOK_ALLOW_INTERNAL`). */
  webhookAllowInternal: string[];
  sseHeartbeatMs: number;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** Serve the web console at `/console` (`AGENTRT_CONSOLE`). */
  console: boolean;
}

/** Parses configuration from an environment; throws a readable error listing every bad variable. */
export function parseEnv(env: Record<string, string | undefined>, cwd = process.cwd()): ServerConfig {
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid agentrt configuration:\n${lines.join("\n")}`);
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
    logLevel: e.AGENTRT_LOG_LEVEL,
    console: e.AGENTRT_CONSOLE,
  };
}
