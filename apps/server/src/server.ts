import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  createRunEngine,
  createScheduler,
  createTemplateRegistry,
  discoverTemplates,
  type Logger,
  loadDiscoveryCache,
  type Store,
  type TemplateContext,
} from "@agentrt/core";
import { createSqliteStore } from "@agentrt/store-sqlite";
import { serve } from "@hono/node-server";
import { createApp } from "./app.js";
import { startHotReload } from "./dev/hot-reload.js";
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
  const store = createSqliteStore({ dataDir: config.dataDir });
  const cache = config.discoveryCache
    ? loadDiscoveryCache(join(config.dataDir, DISCOVERY_CACHE_FILE))
    : undefined;
  const discovery = await discoverTemplates({
    hostDir: config.hostDir,
    extraDirs: config.templateDirs,
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

  // A getter: the checkpointer (and LangGraph's library behind it) loads when a template first needs it.
  const sharedServices = Object.freeze({
    get checkpointer() {
      return store.checkpointer;
    },
  });
  const templateContext = (templateName: string): TemplateContext => ({
    env: process.env,
    logger,
    settings: (config.templateSettings[templateName] as Record<string, unknown> | undefined) ?? {},
    services: sharedServices,
  });

  const engine = createRunEngine({
    store,
    registry,
    context: templateContext,
    concurrency: {
      global: config.runs.concurrency,
      perAgent: config.runs.perAgent,
      maxQueued: config.runs.maxQueued,
    },
    defaultTimeoutMs: config.runs.timeoutMs,
    maxTimeoutMs: config.runs.maxTimeoutMs,
    ...(config.webhookSecret ? { webhooks: { secret: config.webhookSecret } } : {}),
    logger,
  });
  // Before the engine starts, so recovered runs of watched templates find their fresh build.
  const hotReload = options.watch?.length
    ? await startHotReload({ dirs: options.watch, registry, engine, store, logger })
    : undefined;
  await engine.start();
  const scheduler = createScheduler({ store, engine, logger });
  await scheduler.start();

  const generatedAdminKey = await bootstrapAdminKey(store, config.adminKey);
  const services: AppServices = {
    config,
    store,
    registry,
    engine,
    scheduler,
    keys: createKeyResolver(store.apiKeys),
    logger,
    templateContext,
    validateContext: (name, phase) => ({ ...templateContext(name), phase }),
  };
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
        await scheduler.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // SSE streams would hold the server open; they are ended by the engine closing below.
          (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
        });
        await engine.close();
        await store.close();
      })();
      return closing;
    },
  };
}
