import { rmdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "@agentrt/core";
import type { RunEngine, Store, TemplateRegistry } from "@agentrt/runtime";
import { watch } from "chokidar";
import { devBuildDir } from "./build-template.js";
import { type ReloadDeps, type ReloadOutcome, reloadTemplate } from "./reload-template.js";
import { findWatchedPackages } from "./watched-packages.js";

export interface HotReloadOptions {
  /** Template package directories, or folders of them; packages without `src/` are skipped. */
  dirs: readonly string[];
  registry: TemplateRegistry;
  engine: Pick<RunEngine, "invalidateAgent">;
  store: Pick<Store, "agents">;
  logger: Logger;
  services: ReadonlySet<string>;
  /** Quiet time after the last change before rebuilding; editors save in bursts. Default 100. */
  debounceMs?: number;
}

export interface HotReload {
  /** The package directories being watched (real paths). */
  packages: string[];
  close(): Promise<void>;
}

/** One package: debounced change events, one build at a time, a change during a build builds again. */
function createPackageReloader(packageDir: string, deps: ReloadDeps, debounceMs: number) {
  let timer: NodeJS.Timeout | undefined;
  let building: Promise<ReloadOutcome> | undefined;
  let again = false;

  const build = (): Promise<ReloadOutcome> => {
    building = reloadTemplate(packageDir, deps).finally(() => {
      building = undefined;
      if (again) {
        again = false;
        void build();
      }
    });
    return building;
  };

  return {
    build,
    changed() {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (building) again = true;
        else void build();
      }, debounceMs);
    },
    async close() {
      clearTimeout(timer);
      again = false;
      await building;
    },
  };
}

/**
 * Development only. Builds every watched template package from source, registers the builds, and
 * rebuilds a package whenever its `src/` or `package.json` changes. New runs use the new build;
 * runs in progress finish on the instance they started with.
 */
export async function startHotReload(options: HotReloadOptions): Promise<HotReload> {
  const deps: ReloadDeps = {
    registry: options.registry,
    engine: options.engine,
    store: options.store,
    logger: options.logger,
    services: options.services,
  };
  const packages = findWatchedPackages(options.dirs);
  const reloaders = packages.map((dir) => createPackageReloader(dir, deps, options.debounceMs ?? 100));
  await Promise.all(reloaders.map((reloader) => reloader.build()));

  // chokidar, not fs.watch: an editor's atomic save (write a temp file, rename it over the
  // original) makes fs.watch lose the file, so later saves of it went unseen.
  const watchers = packages.map((dir, i) => {
    const onChange = () => reloaders[i]!.changed();
    return watch([join(dir, "src"), join(dir, "package.json")], { ignoreInitial: true, atomic: true }).on(
      "all",
      onChange,
    );
  });
  await Promise.all(
    watchers.map((watcher) => new Promise<void>((resolve) => watcher.once("ready", () => resolve()))),
  );
  options.logger.info("hot reload watching template sources", { packages });

  return {
    packages,
    async close() {
      await Promise.all(watchers.map((watcher) => watcher.close()));
      await Promise.all(reloaders.map((reloader) => reloader.close()));
      for (const dir of packages) {
        try {
          rmdirSync(devBuildDir(dir));
        } catch {
          // Not empty (another dev server builds there) or already gone: nothing to tidy.
        }
      }
    },
  };
}
