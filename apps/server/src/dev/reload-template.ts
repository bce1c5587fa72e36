import { rmSync } from "node:fs";
import { AgentrtError, ErrorCode, isAgentrtError, isErrorCode, type Logger } from "@agentrt/core";
import {
  type InstalledManifest,
  type LoadedTemplate,
  loadTemplateModule,
  type RunEngine,
  readTemplateManifest,
  type Store,
  type TemplateRegistry,
} from "@agentrt/runtime";
import { bundleTemplate, findSourceEntry } from "./build-template.js";

export interface ReloadDeps {
  registry: TemplateRegistry;
  engine: Pick<RunEngine, "invalidateAgent">;
  store: Pick<Store, "agents">;
  logger: Logger;
  /** The host's services: a rebuilt template is held to them as at start-up. */
  services: ReadonlySet<string>;
}

export type ReloadOutcome =
  | { ok: true; loaded: LoadedTemplate }
  | { ok: false; code: string; message: string };

function readManifest(packageDir: string): InstalledManifest {
  const manifest = readTemplateManifest(packageDir);
  if (!manifest) {
    throw new AgentrtError(
      ErrorCode.TEMPLATE_INVALID,
      `${packageDir} is not a template package (no "agentrt" field or "agentrt-template" keyword)`,
    );
  }
  return manifest;
}

/** Builds the package's sources into a fresh file and imports it; the file is only needed for the import. */
async function buildAndLoad(
  manifest: InstalledManifest,
  services: ReadonlySet<string>,
): Promise<LoadedTemplate> {
  const file = await bundleTemplate(
    manifest.packageDir,
    findSourceEntry(manifest.packageDir, manifest.entry),
  );
  try {
    return await loadTemplateModule({ ...manifest, entry: file }, services);
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * Drops cached instances of agents on this template version (runs in progress keep theirs) and
 * names the agents whose stored config the new build's schema no longer accepts.
 */
async function invalidateAgents(
  loaded: LoadedTemplate,
  deps: ReloadDeps,
): Promise<{ invalidated: number; stale: string[] }> {
  const { name, version, configSchema } = loaded.template;
  let invalidated = 0;
  const stale: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.agents.list({ templateName: name, limit: 100, cursor });
    for (const agent of page.items) {
      if (agent.templateVersion !== version) continue;
      await deps.engine.invalidateAgent(agent.id);
      invalidated++;
      if (!configSchema.safeParse(agent.config).success) stale.push(agent.name);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { invalidated, stale };
}

function servingBuild(registry: TemplateRegistry, packageDir: string): LoadedTemplate | undefined {
  return registry
    .names()
    .flatMap((name) => registry.versions(name))
    .find((t) => t.packageDir === packageDir);
}

/**
 * Rebuilds one watched template package and swaps it into the registry under its name and version.
 * A broken build never replaces a working one: it is recorded as a rejection that says which
 * build keeps serving, and logged.
 */
export async function reloadTemplate(packageDir: string, deps: ReloadDeps): Promise<ReloadOutcome> {
  const { registry } = deps;
  const started = performance.now();
  let manifest: InstalledManifest | undefined;
  try {
    manifest = readManifest(packageDir);
    const loaded = await buildAndLoad(manifest, deps.services);
    registry.register(loaded);
    const { invalidated, stale } = await invalidateAgents(loaded, deps);
    const template = `${loaded.template.name}@${loaded.template.version}`;
    deps.logger.info("template reloaded", {
      package: loaded.packageName,
      template,
      agentsInvalidated: invalidated,
      buildMs: Math.round(performance.now() - started),
    });
    if (stale.length > 0) {
      // Their runs will fail until their config is updated (PATCH) or the schema change is undone.
      deps.logger.warn("stored agents no longer match the template's config schema", {
        template,
        agents: stale,
      });
    }
    return { ok: true, loaded };
  } catch (error) {
    const code = isAgentrtError(error) && isErrorCode(error.code) ? error.code : ErrorCode.TEMPLATE_INVALID;
    const reason = error instanceof Error ? error.message : String(error);
    const previous = servingBuild(registry, packageDir);
    const message = `hot reload failed: ${reason}; ${
      previous
        ? `the previous build of ${previous.template.name}@${previous.template.version} is still serving`
        : "no build of this package is serving"
    }`;
    registry.reject({
      packageName: manifest?.packageName ?? previous?.packageName ?? packageDir,
      packageVersion: manifest?.packageVersion ?? previous?.packageVersion ?? null,
      packageDir,
      code,
      message,
    });
    deps.logger.error("template reload failed", {
      package: manifest?.packageName ?? packageDir,
      code,
      reason,
    });
    return { ok: false, code, message };
  }
}
