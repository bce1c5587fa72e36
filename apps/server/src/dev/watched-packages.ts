import { existsSync, readdirSync, realpathSync } from "node:fs";
import { join } from "node:path";

const isPackage = (dir: string) => existsSync(join(dir, "package.json"));
const hasSources = (dir: string) => existsSync(join(dir, "src"));

function packageDirs(dir: string): string[] {
  if (isPackage(dir)) return [dir];
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const child = join(dir, entry.name);
      if (entry.name.startsWith("@")) return packageDirs(child).filter((d) => d !== child);
      return isPackage(child) ? [child] : [];
    });
}

/**
 * The template packages to watch: each directory is a package, or a folder of packages (like
 * extra template dirs). Only packages with a `src/` folder have sources to rebuild. Real paths, so
 * they match the directories discovery recorded.
 */
export function findWatchedPackages(dirs: readonly string[]): string[] {
  const found = dirs
    .flatMap(packageDirs)
    .filter(hasSources)
    .map((dir) => realpathSync(dir));
  return [...new Set(found)];
}
