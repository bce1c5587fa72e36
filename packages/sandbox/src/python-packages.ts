import { createHash } from "node:crypto";
import { lstat, readdir, readFile, realpath } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { dependencyNotAllowed } from "./dependencies.js";
import type { PythonPackageBundle } from "./types.js";

/** Cap on the bytes of all packages one agent bundles (every sandbox process it runs in keeps a copy). */
export const MAX_PYTHON_PACKAGE_BYTES = 16 * 1024 * 1024;
/** Native extensions cannot load into Pyodide from a host directory: only pure Python is shipped. */
const NATIVE = /\.(so|pyd|dylib|dll)$/i;
const SKIPPED = /(^|\/)__pycache__(\/|$)|\.pyc$/;
/** What importlib.metadata reads of a distribution (not RECORD: it lists host paths). */
const DIST_INFO_FILES = ["METADATA", "entry_points.txt", "top_level.txt"];

/** PEP 503 name normalisation: `Foo_Bar.baz` and `foo-bar-baz` name the same distribution. */
export function normalizeDistName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

interface Dist {
  /** Files of the distribution, relative to the package directory. */
  files: string[];
  requires: string[];
  purelib: boolean;
}

/**
 * Collects the declared pure-Python packages (and what they require) from an operator directory laid
 * out like `pip install --target <dir>`: a distribution is found by its `.dist-info` (name normalised,
 * files from `RECORD`), or, without one, as an importable `<name>/` package or `<name>.py` module.
 * Everything is read at compile time; the interpreter gets the files in memory, never the directory.
 */
export async function collectPythonPackages(
  dir: string | undefined,
  names: string[],
  maxBytes = MAX_PYTHON_PACKAGE_BYTES,
): Promise<PythonPackageBundle> {
  if (!dir)
    throw dependencyNotAllowed(names, "cannot be installed: no Python package directory is configured");
  const root = await realpath(dir).catch(() => {
    throw dependencyNotAllowed(names, "cannot be installed: the Python package directory does not exist");
  });
  const distInfos = new Map<string, string>();
  for (const entry of await readdir(root)) {
    if (entry.endsWith(".dist-info")) distInfos.set(normalizeDistName(entry.split("-")[0] ?? ""), entry);
  }
  const files = new Set<string>();
  const seen = new Set<string>();
  const queue = [...names];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const key = normalizeDistName(name);
    if (seen.has(key)) continue;
    seen.add(key);
    const distInfo = distInfos.get(key);
    const dist = distInfo ? await readDist(root, distInfo) : await findModule(root, name);
    // Messages reach API users: they name no server paths.
    if (!dist) throw dependencyNotAllowed([name], "is allowed but not installed on this server");
    const native = dist.files.find((file) => NATIVE.test(file));
    if (!dist.purelib || native) {
      throw dependencyNotAllowed([name], `is not a pure-Python package${native ? ` (${native})` : ""}`);
    }
    for (const file of dist.files) files.add(file);
    // Requirements that are not installed are skipped: they are often platform- or version-conditional.
    for (const required of dist.requires)
      if (distInfos.has(normalizeDistName(required))) queue.push(required);
  }
  return bundle(root, [...files].sort(), maxBytes);
}

async function readDist(root: string, distInfo: string): Promise<Dist> {
  const read = (name: string) => readFile(join(root, distInfo, name), "utf8").catch(() => "");
  const [record, metadata, wheel] = await Promise.all([read("RECORD"), read("METADATA"), read("WHEEL")]);
  const files = record
    .split("\n")
    .map((line) => parseRecordPath(line))
    .filter(
      (path) => path && !path.startsWith("../") && !path.startsWith("/") && !path.includes(".dist-info/"),
    )
    .filter((path) => !SKIPPED.test(path));
  // Packages often ask importlib.metadata for their own version: ship the metadata they read.
  for (const name of DIST_INFO_FILES) {
    if (await isFile(join(root, distInfo, name))) files.push(`${distInfo}/${name}`);
  }
  const requires = metadata
    .split("\n")
    .filter((line) => line.startsWith("Requires-Dist:") && !/extra\s*==/.test(line))
    .map((line) => /^Requires-Dist:\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line)?.[1] ?? "")
    .filter(Boolean);
  return { files, requires, purelib: !/^Root-Is-Purelib:\s*false/im.test(wheel) };
}

/** First column of a RECORD line (CSV; a path containing a comma is quoted). */
function parseRecordPath(line: string): string {
  if (line.startsWith('"')) return line.slice(1, line.indexOf('"', 1));
  return line.split(",")[0] ?? "";
}

async function findModule(root: string, name: string): Promise<Dist | undefined> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined;
  const packageDir = join(root, name);
  if (await isFile(join(packageDir, "__init__.py"))) {
    return { files: await walk(root, packageDir), requires: [], purelib: true };
  }
  if (await isFile(join(root, `${name}.py`))) return { files: [`${name}.py`], requires: [], purelib: true };
  return undefined;
}

async function walk(root: string, dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = relative(root, path).split(sep).join("/");
    if (SKIPPED.test(rel)) continue;
    if (entry.isDirectory()) found.push(...(await walk(root, path)));
    else found.push(rel);
  }
  return found;
}

async function isFile(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isFile() ?? false;
}

async function bundle(root: string, paths: string[], maxBytes: number): Promise<PythonPackageBundle> {
  const hash = createHash("sha256");
  const files: Record<string, string> = {};
  let total = 0;
  for (const path of paths) {
    // A symlink in the operator's directory must not pull other host files into user code.
    const real = await realpath(join(root, path)).catch(() => undefined);
    if (!real?.startsWith(root + sep)) continue;
    const content = await readFile(real);
    total += content.byteLength;
    if (total > maxBytes) {
      throw dependencyNotAllowed(
        [path.split("/")[0] ?? path],
        `makes the declared packages larger than ${maxBytes} bytes`,
      );
    }
    hash.update(`${path}\0${content.byteLength}\0`).update(content);
    files[path] = content.toString("base64");
  }
  const modules = new Set(
    paths.filter((p) => p.endsWith(".py")).map((p) => p.split("/")[0]!.replace(/\.py$/, "")),
  );
  return { sha256: hash.digest("hex"), modules: [...modules].sort(), files };
}
