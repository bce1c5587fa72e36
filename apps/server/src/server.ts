import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { AgentrtError, ErrorCode, type Logger } from "@agentrt/core";
import {
  createMemoryStore,
  createRuntime,
  createTemplateContexts,
  createTemplateRegistry,
  discoverTemplates,
  loadDiscoveryCache,
  openStore,
  parseStoreLocation,
  type ServiceProviders,
  type Store,
} from "@agentrt/runtime";
import { createSqliteStore } from "@agentrt/store-sqlite";
import { serve } from "@hono/node-server";
import { createApp } from "./app.js";
import type { ServerConfig } from "./env.js";
import { createApiKey, createKeyResolver, hashApiKey } from "./lib/auth.js";
import { createLogger } from "./lib/logger.js";
import type { AppServices } from "./lib/services.js";

export interface RunningServer {
  url: string;
  port: number;
  services: AppServices;
  /** The admin key generated on first start, when none was configured; `undefined` otherwise. */
  generatedAdminKey: string | undefined;
  close(): Promise<void>;
}

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
function hostServices(store: Store): ServiceProviders {
  return "checkpointer" in store ? { "agentrt.checkpointer": () => store.checkpointer } : {};
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
  logger: Logger = createLogger(config.logLevel),
  options: StartOptions = {},
): Promise<RunningServer> {
  const started = performance.now();
  const store = await openStore(parseStoreLocation(config.databaseUrl, config.dataDir), {
    sqlite: ({ path }) => createSqliteStore({ path, exclusive: true }),
    // Imported only when configured: an embedded start-up never loads pg.
    postgres: async ({ url }) =>
      (await import("@agentrt/store-postgres")).createPostgresStore({
        url,
        holdsRuns: config.role !== "api",
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
  const contexts = createTemplateContexts({
    env: process.env,
    logger,
    settings: config.templateSettings,
    services: hostServices(store),
  });
  const cache = config.discoveryCache
    ? loadDiscoveryCache(join(config.dataDir, DISCOVERY_CACHE_FILE))
    : undefined;
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
  const registry = createTemplateRegistry(discovery);
  for (const rejected of registry.rejected()) {
    logger.warn("template rejected", {
      package: rejected.packageName,
      version: rejected.packageVersion,
      code: rejected.code,
      reason: rejected.message,
    });
  }

  const runtime = createRuntime({
    store,
    registry,
    contexts,
    logger,
    concurrency: {
      global: config.runs.concurrency,
      perAgent: config.runs.perAgent,
      maxQueued: config.runs.maxQueued,
    },
    defaultTimeoutMs: config.runs.timeoutMs,
    maxTimeoutMs: config.runs.maxTimeoutMs,
    leaseMs: config.leaseMs,
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
  await runtime.start();

  const generatedAdminKey = await bootstrapAdminKey(store, config.adminKey);
  const services: AppServices = { config, runtime, keys: createKeyResolver(store.apiKeys), logger };
  const app = createApp(services);

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  logger.info("agentrt ready", {
    url,
    templates: registry.names(),
    rejected: registry.rejected().length,
    startupMs: Math.round(performance.now() - started),
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    services,
    generatedAdminKey,
    close: () => {
      closing ??= (async () => {
        await hotReload?.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // SSE streams would hold the server open; they are ended by the engine closing below.
          (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
        await runtime.stop();
        await store.close();
      })();
      return closing;
    },
  };
}
