import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AgentrtError, ErrorCode, type Logger } from "@agentrt/core";
import {
  type AgentCache,
  createAgentDirectory,
  createMemoryRateCounters,
  createMemoryStore,
  createRuntime,
  createTemplateContexts,
  createTemplateRegistry,
  discoverTemplates,
  loadDiscoveryCache,
  openStore,
  parseStoreLocation,
  type Runtime,
  type ServiceProviders,
  type Store,
  type TemplateRegistry,
} from "@agentrt/runtime";
import { createSqliteStore } from "@agentrt/store-sqlite";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "./app.js";
import type { ServerConfig } from "./env.js";
import { createApiKey, createKeyResolver, hashApiKey } from "./lib/auth.js";
import { shuttingDown, unanswered } from "./lib/host-answers.js";
import { createLogger } from "./lib/logger.js";
import { createMetrics } from "./lib/metrics.js";
import { createKeyRateLimiter } from "./lib/rate-limit.js";
import type { AppServices } from "./lib/services.js";
import { startTracing, stopTracing } from "./lib/tracing.js";
import { listen, stopAccepting } from "./listen.js";

export interface RunningServer {
  url: string;
  port: number;
  services: AppServices;
  /** The admin key generated on first start, when none was configured; `undefined` otherwise. */
  generatedAdminKey: string | undefined;
  /**
   * Graceful stop: no new connections or requests; requests and runs in progress get up to
   * `AGENTRT_SHUTDOWN_GRACE_MS` to finish, then the rest are interrupted (their streams end with
   * a last event) and the store is closed.
   */
  close(): Promise<void>;
}

/** How long connections still writing after the engine stopped (a stream's last event) may take. */
const FINAL_WRITE_MS = 1000;

export interface StartOptions {
  /** Development only: template package directories whose sources are rebuilt and reloaded on change. */
  watch?: string[];
}

/** Discovery's manifest verdicts, kept next to the database. */
export const DISCOVERY_CACHE_FILE = "discovery-cache.json";

/**
 * The services this host provides to templates, by service id. Read on first use: the checkpointer
 * (and LangGraph behind it) loads only when a template first needs it. A store without a
 * checkpointer provides none, and templates that require one are refused at discovery.
 */
function hostServices(
  store: Store,
  agentCache: () => AgentCache,
  registry: () => TemplateRegistry,
): ServiceProviders {
  const agents = createAgentDirectory(agentCache, registry);
  return {
    "agentrt.agents": () => agents,
    ...("checkpointer" in store ? { "agentrt.checkpointer": () => store.checkpointer } : {}),
  };
}

/** Makes sure an admin key exists: the configured one, or a new one generated on first start. */
async function bootstrapAdminKey(store: Store, configured: string | undefined): Promise<string | undefined> {
  if (configured) {
    if (!(await store.apiKeys.findByHash(hashApiKey(configured)))) {
      await createApiKey(store.apiKeys, "bootstrap admin (AGENTRT_ADMIN_KEY)", ["admin"], configured);
    }
    return undefined;
  }
  if ((await store.apiKeys.count()) > 0) return undefined;
  return (await createApiKey(store.apiKeys, "bootstrap admin (generated)", ["admin"])).key;
}

/** Starts agentrt: store, template discovery, run engine, scheduler, HTTP. */
export async function startServer(
  config: ServerConfig,
  logger: Logger = createLogger({ level: config.logLevel }),
  options: StartOptions = {},
): Promise<RunningServer> {
  const started = performance.now();
  // First, so the context manager is in place before any request or run.
  if (config.tracing) await startTracing(process.env);
  const store = await openStore(parseStoreLocation(config.databaseUrl, config.dataDir), {
    sqlite: ({ path }) => createSqliteStore({ path, exclusive: true }),
    // Imported only when configured: an embedded start-up never loads pg.
    postgres: async ({ url }) =>
      (await import("@agentrt/store-postgres")).createPostgresStore({
        url,
        holdsRuns: config.role !== "api",
        dropInvalidations: config.testInvalidations === "age-only",
        onBusError: (error) =>
          logger.warn("store bus connection lost; reconnecting", { error: error.message }),
      }),
    memory: () => createMemoryStore(),
  });
  if (config.role !== "all" && !store.leases) {
    await store.close();
    throw new AgentrtError(
      ErrorCode.BAD_REQUEST,
      `AGENTRT_ROLE=${config.role} needs a store several nodes share (AGENTRT_DATABASE_URL=postgres://…)`,
    );
  }
  let registry: TemplateRegistry | undefined;
  const contexts = createTemplateContexts({
    env: process.env,
    logger,
    settings: config.templateSettings,
    // Templates use services only once discovery has filled the registry and the runtime exists.
    services: hostServices(
      store,
      () => runtime.agentCache,
      () => registry!,
    ),
  });
  const cache = config.discoveryCache
    ? loadDiscoveryCache(join(config.dataDir, DISCOVERY_CACHE_FILE))
    : undefined;
  let engine: Runtime["engine"] | undefined;
  let retention: Runtime["retention"] | undefined;
  const metrics = createMetrics({
    agentLabel: config.metricsAgentLabel,
    gauges: {
      queue: () => engine?.stats() ?? { running: 0, queued: 0 },
      templates: () => ({ loaded: registry?.size() ?? 0, rejected: registry?.rejected().length ?? 0 }),
      retention: () => retention?.stats(),
    },
  });
  const discoveryStarted = performance.now();
  const discovery = await discoverTemplates({
    hostDir: config.hostDir,
    extraDirs: config.templateDirs,
    services: contexts.serviceIds,
    ...(cache ? { cache } : {}),
  });
  try {
    cache?.save();
  } catch (error) {
    // The cache only saves work; a read-only data dir must not stop the server.
    logger.warn("discovery cache not saved", { file: cache?.file, error: String(error) });
  }
  metrics.discovered((performance.now() - discoveryStarted) / 1000);
  registry = createTemplateRegistry(discovery);
  for (const rejected of registry.rejected()) {
    logger.warn("template rejected", {
      package: rejected.packageName,
      version: rejected.packageVersion,
      code: rejected.code,
      reason: rejected.message,
    });
  }

  // One node: counters in memory. A store shared by several nodes counts on its own database.
  const rateCounters = store.rateCounters ?? createMemoryRateCounters();
  const runtime = createRuntime({
    store,
    rateCounters,
    registry,
    contexts,
    logger,
    observer: metrics.observer,
    concurrency: {
      global: config.runs.concurrency,
      perAgent: config.runs.perAgent,
      maxQueued: config.runs.maxQueued,
    },
    defaultTimeoutMs: config.runs.timeoutMs,
    maxTimeoutMs: config.runs.maxTimeoutMs,
    retention: config.retention,
    leaseMs: config.leaseMs,
    ...(config.testInvalidations === "notify-only" ? { cacheMaxAgeMs: Number.POSITIVE_INFINITY } : {}),
    execute: config.role !== "api",
    ...(config.webhookSecret
      ? { webhooks: { secret: config.webhookSecret, allowInternal: config.webhookAllowInternal } }
      : {}),
  });
  // Before the engine starts, so recovered runs of watched templates find their fresh build.
  // Loaded only in dev mode: the watcher library has no place in a production start-up.
  const hotReload = options.watch?.length
    ? await (await import("./dev/hot-reload.js")).startHotReload({
        dirs: options.watch,
        registry,
        engine: runtime.engine,
        store,
        logger,
        services: contexts.serviceIds,
      })
    : undefined;
  engine = runtime.engine;
  retention = runtime.retention;
  await runtime.start();

  const keys = createKeyResolver(store.apiKeys, { maxAgeMs: runtime.invalidations.maxAgeMs });
  runtime.invalidations.subscribe("apiKey", ({ id }) => keys.forget(id));
  const services: AppServices = {
    config,
    runtime,
    keys,
    keyLimiter: createKeyRateLimiter(config.rateLimits, rateCounters),
    logger,
    metrics,
  };
  const app = createApp(services);
  /** Requests whose handler has not answered yet (a sync run, a chat completion). */
  let answering = 0;
  let draining = false;
  // getRequestListener, not createAdaptorServer: only the listener takes an errorHandler.
  const server = createServer(
    getRequestListener(
      async (request, env) => {
        if (draining) return shuttingDown(metrics);
        answering++;
        try {
          return await app.fetch(request, env);
        } finally {
          answering--;
        }
      },
      { errorHandler: (error) => unanswered(error, logger, metrics) },
    ),
  );
  try {
    await listen(server, config.host, config.port);
  } catch (error) {
    await hotReload?.close();
    await runtime.stop();
    await store.close();
    throw error;
  }
  // Only once the port is ours: a key generated by a start that then failed would be stored but
  // never shown, and the operator locked out.
  const generatedAdminKey = await bootstrapAdminKey(store, config.adminKey);
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  logger.info("agentrt ready", {
    url,
    templates: registry.names(),
    rejected: registry.rejected().length,
    startupMs: Math.round(performance.now() - started),
  });

  async function shutdown(): Promise<void> {
    const deadline = Date.now() + config.shutdownGraceMs;
    draining = true;
    const connections = stopAccepting(server);
    await hotReload?.close();
    await runtime.scheduler.stop();
    // Runs and answers in progress may finish; runs followed by streams end them as they finish.
    while (Date.now() < deadline && (answering > 0 || runtime.engine.stats().running > 0)) await sleep(25);
    const { running } = runtime.engine.stats();
    if (running > 0) logger.warn("shutdown grace over; interrupting runs", { running });
    // Interrupts what is left; each open stream gets its last event (the run's end, or why it stopped).
    await runtime.stop();
    connections.cut(FINAL_WRITE_MS);
    await connections.closed;
    await store.close();
    metrics.close();
    if (config.tracing) await stopTracing();
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    services,
    generatedAdminKey,
    close: () => {
      closing ??= shutdown();
      return closing;
    },
  };
}
