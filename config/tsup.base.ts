import { defineConfig, type Options } from "tsup";

/**
 * The build every package shares: ESM for Node 24, types, source maps. A package passes only what
 * differs (more entries, chunk splitting, externals).
 */
export function definePackageBuild(options: Options = {}) {
  return defineConfig({
    entry: ["src/index.ts"],
    format: ["esm"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node24",
    // Keep `node:` specifiers: `node:sqlite` exists only under its prefixed name.
    removeNodeProtocol: false,
    ...options,
  });
}

/**
 * For templates: the entry stays cheap to import, so `import()`ed modules must become their own
 * chunks instead of being inlined into index.js (esbuild inlines them when splitting is off).
 */
export const lazyChunks = { splitting: true } as const satisfies Options;
