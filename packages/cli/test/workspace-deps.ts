import { mkdirSync, readFileSync, realpathSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

export const cliDir = resolve(import.meta.dirname, "..");
export const workspaceDir = resolve(cliDir, "../..");

/** Where each dependency of a generated template package comes from in this workspace. */
const SOURCES: Record<string, string> = {
  "@agentrt/core": cliDir,
  "@agentrt/testing": cliDir,
  zod: cliDir,
  vitest: cliDir,
  tsup: workspaceDir,
  typescript: workspaceDir,
  publint: workspaceDir,
  "@types/node": workspaceDir,
};

function packageDir(name: string, from: string): string {
  for (const base of createRequire(join(from, "package.json")).resolve.paths(name) ?? []) {
    try {
      return realpathSync(join(base, name));
    } catch {}
  }
  throw new Error(`cannot find ${name} from ${from}`);
}

/**
 * Makes a package outside the workspace installable-free: its node_modules links to the
 * workspace's copies (real paths, so their own dependencies resolve where they live) and
 * node_modules/.bin holds their commands, as an install would. Offline and instant.
 */
export function linkWorkspaceDeps(dir: string, names = Object.keys(SOURCES)): void {
  const bin = join(dir, "node_modules", ".bin");
  mkdirSync(bin, { recursive: true });
  for (const name of names) {
    const target = packageDir(name, SOURCES[name]!);
    const link = join(dir, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, "dir");
    const manifest = JSON.parse(readFileSync(join(target, "package.json"), "utf8")) as {
      bin?: string | Record<string, string>;
    };
    const bins = typeof manifest.bin === "string" ? { [name]: manifest.bin } : (manifest.bin ?? {});
    for (const [command, file] of Object.entries(bins)) {
      symlinkSync(join(target, file), join(bin, command));
    }
  }
}
