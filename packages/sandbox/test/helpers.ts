import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { resolvePackageDirs } from "../src/child-process.js";
import { type CompiledCode, compileUserCode, type SandboxLanguage } from "../src/index.js";

export function compile(
  language: SandboxLanguage,
  source: string,
  entryPoint = "main",
): Promise<CompiledCode> {
  return compileUserCode({ language, source, entryPoint });
}

export const js = (source: string) => compile("javascript", source);
export const py = (source: string) => compile("python", source);

export async function expectCode(
  promise: Promise<unknown>,
  code: string,
): Promise<Error & { details?: Record<string, unknown> }> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected ${code}, got result ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code });
  return error as Error & { details?: Record<string, unknown> };
}

/** Live sandbox children of this process, read from /proc (what the pool started and has not reaped). */
export function childPids(kind: "js-child" | "py-child" | "child" = "child"): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const isChecker = cmdline.includes("--role=checker"); // compileUserCode's shared syntax checker
      if (Number(fields[1]) === process.pid && fields[0] !== "Z" && cmdline.includes(kind) && !isChecker) {
        pids.push(Number(entry));
      }
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

export async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Python source from lines. */
export const lines = (...source: string[]): string => `${source.join("\n")}\n`;

/** Modules of Pyodide's JavaScript bridge, and ctypes: none may be importable by user code. */
export const BRIDGE_MODULES = [
  "js",
  "pyodide_js",
  "pyodide_js._api",
  "pyodide",
  "pyodide.ffi",
  "pyodide.webloop",
  "_pyodide",
  "_pyodide._importhook",
  "_pyodide_core",
  "ctypes",
  "_ctypes",
  "_testinternalcapi",
];

/** Names only Pyodide's JavaScript-side API has (what `pyodide_js._api` used to show user code). */
const JS_API_NAMES = [
  "loadBinaryFile",
  "loadDynlib",
  "runtimeEnv",
  "indexURL",
  "packageCacheDir",
  "initializeNodeSockFS",
  "restoreState",
  "rawRun",
  "fatal_error",
  "scheduleCallback",
  "lockFileContents",
];

/** Where this machine keeps the server and the sandbox: the repository, the package, Pyodide. */
export function hostPaths(): string[] {
  const pkg = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
  const repo = fileURLToPath(new URL("../../..", import.meta.url)).replace(/\/$/, "");
  return [repo, pkg, resolvePackageDirs().pyodide, "/node_modules/"];
}

/** Nothing a run returned, logged or failed with names a host path or Pyodide's JavaScript API. */
export function expectNothingLeaked(...outputs: unknown[]): void {
  const text = JSON.stringify(outputs);
  for (const path of hostPaths()) expect(text, `names ${path}`).not.toContain(path);
  for (const name of JS_API_NAMES) expect(text, `names ${name}`).not.toContain(name);
}
