import { existsSync, mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";

const SOURCE_EXTENSIONS = [".ts", ".mts", ".tsx", ".js", ".mjs"];

/** The source a manifest entry such as `./dist/index.js` is built from: `src/index.ts` (or .mts, .js, …). */
export function findSourceEntry(packageDir: string, entry: string): string {
  const name = basename(entry, extname(entry));
  for (const extension of SOURCE_EXTENSIONS) {
    const file = join(packageDir, "src", name + extension);
    if (existsSync(file)) return file;
  }
  throw new Error(`no source for ${entry}: expected src/${name}{${SOURCE_EXTENSIONS.join(",")}}`);
}

/**
 * Where builds are written: inside the package, so the bundle's bare imports (`@agentrt/core`,
 * `zod`, …) resolve from the package's own node_modules exactly as its published build would.
 */
export function devBuildDir(packageDir: string): string {
  return join(packageDir, "node_modules", ".cache", "agentrt-dev");
}

let builds = 0;

/**
 * Bundles a template's source entry (dependencies stay external) into a new file. Every build gets
 * a file name never used before, so `import()` cannot be answered from Node's module cache.
 */
export async function bundleTemplate(packageDir: string, sourceEntry: string): Promise<string> {
  // Loaded on first use: only `agentrt dev` needs esbuild.
  const { build } = await import("esbuild");
  const outDir = devBuildDir(packageDir);
  mkdirSync(outDir, { recursive: true });
  const outfile = join(
    outDir,
    `${basename(sourceEntry, extname(sourceEntry))}-${process.pid}-${++builds}.mjs`,
  );
  await build({
    absWorkingDir: packageDir,
    entryPoints: [sourceEntry],
    outfile,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node24",
    sourcemap: "inline",
    logLevel: "silent",
  });
  return outfile;
}
