import { type ChildProcess, spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { detectNetworkIsolation } from "./isolation.js";

export type ChildKind = "js" | "python";

export interface ChildSpawnOptions {
  kind: ChildKind;
  /** Heap cap of the child's own Node isolate, in MiB. */
  heapMb: number;
  /** Extra argv for the child script. */
  args: string[];
}

const require = createRequire(import.meta.url);
/** Children sit next to this module: `src/*.ts` when run from source (tests), `dist/*.js` when built. */
const CHILD_EXTENSION = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

export function childScript(name: string): string {
  return fileURLToPath(new URL(`./${name}${CHILD_EXTENSION}`, import.meta.url));
}

/** A program a child loads into its engine: `harness/` sits next to the children in src/ and dist/. */
function harnessFile(name: string): string {
  return fileURLToPath(new URL(`./harness/${name}`, import.meta.url));
}

/** Real directories of the packages a child must read; the permission model grants exactly these. */
export function resolvePackageDirs(): { isolatedVm: string; nodeGypBuild: string[]; pyodide: string } {
  const ivmMain = realpathSync(require.resolve("isolated-vm"));
  const ngbMain = createRequire(ivmMain).resolve("node-gyp-build");
  return {
    isolatedVm: dirname(ivmMain),
    // Both the path isolated-vm resolves through (a symlink under pnpm) and where it really lives.
    nodeGypBuild: [
      ...new Set([join(dirname(dirname(ivmMain)), "node-gyp-build"), dirname(realpathSync(ngbMain))]),
    ],
    pyodide: dirname(realpathSync(require.resolve("pyodide"))),
  };
}

/**
 * Node flags of a sandbox child: its own heap cap, no snapshot (isolated-vm needs that), and the
 * permission model with read access to its own script, its harness and the one engine package it loads.
 * No child-process, fs-write or network-related grants; workers only for Python's interpreter thread.
 */
export function childExecArgv(kind: ChildKind, heapMb: number): string[] {
  const dirs = resolvePackageDirs();
  const common = [
    "--disable-warning=SecurityWarning", // the grants below are deliberate; keep stderr for real problems
    "--no-node-snapshot",
    `--max-old-space-size=${heapMb}`,
    "--permission",
  ];
  if (kind === "js") {
    return [
      ...common,
      "--allow-addons",
      `--allow-fs-read=${childScript("js-child")}`,
      `--allow-fs-read=${harnessFile("isolate-bootstrap.js")}`,
      `--allow-fs-read=${dirs.isolatedVm}/*`,
      ...dirs.nodeGypBuild.map((dir) => `--allow-fs-read=${dir}/*`),
      // node-gyp-build probes this file to tell musl from glibc.
      "--allow-fs-read=/etc/alpine-release",
    ];
  }
  return [
    ...common,
    "--allow-worker",
    // Stops `JsProxy.constructor.constructor("return process")()` from Python reaching this realm.
    "--disallow-code-generation-from-strings",
    `--allow-fs-read=${childScript("py-child")}`,
    `--allow-fs-read=${childScript("py-worker")}`,
    `--allow-fs-read=${harnessFile("harness.py")}`,
    `--allow-fs-read=${dirs.pyodide}/*`,
  ];
}

/** Starts one sandbox child with an empty environment, inside a network namespace when available. */
export function spawnSandboxChild(options: ChildSpawnOptions): ChildProcess {
  const name = options.kind === "js" ? "js-child" : "py-child";
  const nodeArgs = [...childExecArgv(options.kind, options.heapMb), childScript(name), ...options.args];
  const [wrapper, ...wrapperArgs] = detectNetworkIsolation().prefix;
  const [command, args] = wrapper
    ? [wrapper, [...wrapperArgs, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  return spawn(command, args, { env: {}, stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "json" });
}
