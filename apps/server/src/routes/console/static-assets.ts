import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join, normalize, sep } from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

export interface StaticAsset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
}

/**
 * The server package's own directory: the built assets live in its `dist/` both when running the
 * bundle (`dist/index.js`) and the sources under test (`src/routes/console/`).
 */
function packageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** `dist/<name>`: where the build copies the console's and the API reference's browser files. */
export function builtAssetDir(name: string): string {
  return join(packageRoot(import.meta.dirname), "dist", name);
}

/**
 * Files of one asset directory, read on first request and kept: they are the package's own build
 * output, small and unchanging while the process runs. Paths that leave the directory are refused.
 */
export function createAssetReader(root: string) {
  const cache = new Map<string, StaticAsset | null>();
  return (path: string): StaticAsset | undefined => {
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep)) return undefined;
    let asset = cache.get(file);
    if (asset === undefined) {
      const type = CONTENT_TYPES[extname(file)];
      asset = type && existsSync(file) ? { body: new Uint8Array(readFileSync(file)), type } : null;
      cache.set(file, asset);
    }
    return asset ?? undefined;
  };
}
