/**
 * Worker thread of a Python sandbox process: owns one warm Pyodide interpreter. The process's main
 * thread (py-child) stays responsive, enforces time and memory, and interrupts or kills this thread.
 * Self-contained on purpose (see js-child.ts).
 */
import fs from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import type { HostFetchRequest, HostFetchResponse } from "./protocol.js";
import type { PythonPackageBundle } from "./types.js";

export type WorkerRequest =
  | {
      type: "run";
      source: string;
      entryPoint: string;
      inputJson: string;
      maxLogBytes: number;
      maxHostCalls: number;
      maxResultBytes: number;
      fetch: boolean;
      packages?: PythonPackageBundle;
    }
  | { type: "check"; source: string; entryPoint: string; modules: string[] };

export type WorkerReply =
  | { type: "ready" }
  | { type: "log"; line: string }
  | { type: "progress"; done: number; total: number }
  | { type: "fetch"; callId: number; request: HostFetchRequest }
  /** `outcome` is the harness's JSON `[kind, value]`; `failure` a limit this thread enforced itself. */
  | { type: "done"; outcome: string; failure?: { code: string; message: string } };

/** What the process's main thread posts on the fetch port: the parent's answer to one `fetch`. */
export interface FetchReply {
  callId: number;
  response?: HostFetchResponse;
  error?: string;
}

type PyProxyFn = (...args: unknown[]) => unknown;
interface Pyodide {
  runPython(code: string): unknown;
  FS: {
    mkdirTree(path: string): void;
    writeFile(path: string, data: Uint8Array): void;
    analyzePath(path: string): { exists: boolean };
  };
  setStdin(options: { read(buffer: Uint8Array): number }): void;
  globals: { get(name: string): PyProxyFn; set(name: string, value: unknown): void };
  setStdout(options: { write(buffer: Uint8Array): number }): void;
  setStderr(options: { write(buffer: Uint8Array): number }): void;
  setInterruptBuffer(buffer: Int32Array): void;
  unregisterJsModule(name: string): void;
}

const { pyodideDir, interrupt, fetchSignal, fetchPort } = workerData as {
  pyodideDir: string;
  interrupt: SharedArrayBuffer;
  /** Set to 1 by the main thread after it posts a fetch reply on `fetchPort`. */
  fetchSignal: SharedArrayBuffer;
  fetchPort: MessagePort;
};
const interruptFlag = new Int32Array(interrupt);
const fetchFlag = new Int32Array(fetchSignal);
const PROGRESS_FRAME = "\x1eprogress ";
const FETCH_FRAME = "\x1efetch ";
/** A fetch request line may carry a body this large (as the JS sandbox allows) plus its envelope. */
const MAX_FRAME_CHARS = 1024 * 1024 + 16 * 1024;
/** Where declared packages are installed; outside /tmp and /home/pyodide, which the reset wipes. */
const SITE_ROOT = "/lib/agentrt-site";
/** Package bundles kept installed per interpreter (an agent's revisions may differ in packages). */
const MAX_INSTALLED_BUNDLES = 4;

/** The Python side (see its header). Next to this file in src/ and, copied by tsup, in dist/. */
const HARNESS = fs.readFileSync(new URL("./harness/harness.py", import.meta.url), "utf8");

interface RunState {
  logBytes: number;
  hostCalls: number;
  maxLogBytes: number;
  maxHostCalls: number;
  fetch: boolean;
  failure?: { code: string; message: string };
  partial: string;
  /** The fetch whose reply the next stdin read waits for. */
  awaitedFetch?: number;
  /** Bytes stdin still has to hand to Python (a fetch reply, one JSON line). */
  reply?: Uint8Array;
}

let current: RunState | undefined;
let nextFetchCall = 1;
const post = (reply: WorkerReply) => parentPort!.postMessage(reply);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function stop(state: RunState, code: string, message: string): void {
  state.failure ??= { code, message };
  Atomics.store(interruptFlag, 0, 2); // SIGINT: KeyboardInterrupt at the next bytecode check
}

/**
 * stdout and stderr become log lines; stderr lines framed as progress or fetch become those host
 * calls. Only log lines count against the output limit, so a fetch can carry a body.
 */
function writer(buffer: Uint8Array): number {
  const state = current;
  if (!state || state.failure) return buffer.length;
  const lines = (state.partial + decoder.decode(buffer, { stream: true })).split("\n");
  state.partial = lines.pop() ?? "";
  if (state.partial.length > state.maxLogBytes + MAX_FRAME_CHARS) {
    stop(state, "OUTPUT_LIMIT", `the code wrote more than ${state.maxLogBytes} bytes of output`);
    return buffer.length;
  }
  for (const line of lines) {
    state.hostCalls += 1;
    if (state.hostCalls > state.maxHostCalls) {
      stop(state, "HOST_CALL_LIMIT", `the code made more than ${state.maxHostCalls} host calls`);
      return buffer.length;
    }
    if (line.startsWith(PROGRESS_FRAME)) {
      const [done, total] = line.slice(PROGRESS_FRAME.length).split(" ").map(Number);
      if (Number.isFinite(done) && Number.isFinite(total))
        post({ type: "progress", done: done!, total: total! });
      continue;
    }
    if (line.startsWith(FETCH_FRAME)) {
      requestFetch(state, line.slice(FETCH_FRAME.length));
      continue;
    }
    state.logBytes += Buffer.byteLength(line) + 1;
    if (state.logBytes > state.maxLogBytes) {
      stop(state, "OUTPUT_LIMIT", `the code wrote more than ${state.maxLogBytes} bytes of output`);
      return buffer.length;
    }
    post({ type: "log", line });
  }
  return buffer.length;
}

function requestFetch(state: RunState, frame: string): void {
  const request = state.fetch && frame.length <= MAX_FRAME_CHARS ? parseFetchRequest(frame) : undefined;
  if (!request) {
    const error = state.fetch ? "malformed or oversized fetch request" : "fetch is not enabled";
    state.reply = encoder.encode(`${JSON.stringify({ error })}\n`);
    return;
  }
  state.awaitedFetch = nextFetchCall++;
  post({ type: "fetch", callId: state.awaitedFetch, request });
}

function parseFetchRequest(frame: string): HostFetchRequest | undefined {
  try {
    const { url, method, headers, body } = JSON.parse(frame) as Record<string, unknown>;
    const headerValues = Object.values((headers ?? {}) as object);
    const valid =
      typeof url === "string" &&
      typeof method === "string" &&
      typeof headers === "object" &&
      headerValues.every((v) => typeof v === "string") &&
      (body === undefined || typeof body === "string");
    if (!valid) return undefined;
    return {
      url: url.slice(0, 8192),
      method: method.slice(0, 16),
      headers: headers as Record<string, string>,
      ...(body === undefined ? {} : { body }),
    };
  } catch {
    return undefined;
  }
}

/**
 * Python's stdin. Reading it while a fetch is out blocks this thread until the main thread posts the
 * reply (or the run is interrupted); otherwise it is at end of file.
 */
function readStdin(buffer: Uint8Array): number {
  const state = current;
  if (!state) return 0;
  if (!state.reply && state.awaitedFetch !== undefined) state.reply = waitForFetchReply(state.awaitedFetch);
  state.awaitedFetch = undefined;
  const reply = state.reply;
  if (!reply) return 0;
  const n = Math.min(buffer.length, reply.length);
  buffer.set(reply.subarray(0, n));
  state.reply = n < reply.length ? reply.subarray(n) : undefined;
  return n;
}

function waitForFetchReply(callId: number): Uint8Array {
  for (;;) {
    const received = receiveMessageOnPort(fetchPort)?.message as FetchReply | undefined;
    // A reply to a fetch of an earlier, stopped run can still arrive: it is dropped.
    if (received?.callId === callId) {
      const { response, error } = received;
      return encoder.encode(
        `${JSON.stringify(response ? { response } : { error: error ?? "no response" })}\n`,
      );
    }
    if (received) continue;
    if (Atomics.load(interruptFlag, 0) !== 0) return encoder.encode('{"error":"the run was stopped"}\n');
    Atomics.wait(fetchFlag, 0, 0, 50);
    Atomics.store(fetchFlag, 0, 0);
  }
}

/** Package bundles installed in this interpreter, least recently used first. */
const installed: string[] = [];

/** Writes a package bundle into the in-memory filesystem once; returns the directory to put on sys.path. */
function install(bundle: PythonPackageBundle): string {
  const dir = `${SITE_ROOT}/${bundle.sha256}`;
  const at = installed.indexOf(bundle.sha256);
  if (at >= 0) installed.splice(at, 1);
  // The agent's own code may have deleted the files in an earlier run: then they are written again.
  if (at < 0 || !pyodide.FS.analyzePath(dir).exists) {
    for (const [path, content] of Object.entries(bundle.files)) {
      const file = `${dir}/${path}`;
      pyodide.FS.mkdirTree(file.slice(0, file.lastIndexOf("/")));
      pyodide.FS.writeFile(file, Buffer.from(content, "base64"));
    }
  }
  installed.push(bundle.sha256);
  if (installed.length > MAX_INSTALLED_BUNDLES) uninstallHarness(`${SITE_ROOT}/${installed.shift()}`);
  return dir;
}

async function load(): Promise<Pyodide> {
  // Pyodide asks for process.binding('constants') at start-up, which the permission model denies.
  const proc = process as unknown as { binding(name: string): unknown };
  const original = proc.binding.bind(process);
  proc.binding = (name) => (name === "constants" ? { fs: fs.constants, os: os.constants } : original(name));
  const { loadPyodide } = (await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href)) as {
    loadPyodide(options: object): Promise<Pyodide>;
  };
  // jsglobals: {} so `import js` could never see this realm's globals; the harness removes the module
  // too. A neutral program name: Emscripten's default, this script's path, became sys.executable.
  const pyodide = await loadPyodide({ indexURL: `${pyodideDir}/`, jsglobals: {}, _sysExecutable: "python" });
  pyodide.unregisterJsModule("js");
  pyodide.unregisterJsModule("pyodide_js");
  pyodide.setStdout({ write: writer });
  pyodide.setStderr({ write: writer });
  pyodide.setStdin({ read: readStdin });
  pyodide.setInterruptBuffer(interruptFlag);
  pyodide.globals.set("_AGENTRT_SITE_ROOT", SITE_ROOT);
  pyodide.runPython(HARNESS);
  // Called directly (not through runPython, whose Python helpers the seal removes).
  pyodide.globals.get("_agentrt_seal")();
  scrubHostPaths(pyodide);
  return pyodide;
}

/**
 * Second line behind the seal (harness.py), for the case a JavaScript object ever reached Python again:
 * Pyodide's configuration no longer names host paths, and stack traces of this realm show file names
 * only, never directories, and can no longer be replaced (a custom Error.prepareStackTrace would see
 * each frame's file). Pyodide sets Error.stackTraceLimit itself, so that one stays writable.
 */
function scrubHostPaths(pyodide: Pyodide): void {
  const config = (pyodide as unknown as { _api: { config: Record<string, unknown> } })._api.config;
  for (const key of ["indexURL", "packageCacheDir", "packageBaseUrl", "lockFileURL", "stdLibURL"]) {
    if (key in config) config[key] = "";
  }
  // An absolute path or file URL (where a stack frame names its file), down to its last component.
  const directories = /(?<=^|[\s('"])(?:file:\/\/)?\/(?:[^\s():/]+\/)+/g;
  const scrub = (text: string) => text.replace(directories, "");
  Object.defineProperty(Error, "prepareStackTrace", {
    value: (error: Error, frames: unknown[]) => {
      let header: string;
      try {
        header = `${error.name}: ${error.message}`;
      } catch {
        header = "Error";
      }
      return scrub([header, ...frames.map((frame) => `    at ${String(frame)}`)].join("\n"));
    },
    writable: false,
    configurable: false,
  });
}

const pyodide = await load();
const runHarness = pyodide.globals.get("_agentrt_run");
const checkHarness = pyodide.globals.get("_agentrt_check");
const resetHarness = pyodide.globals.get("_agentrt_reset");
const uninstallHarness = pyodide.globals.get("_agentrt_uninstall");
post({ type: "ready" });

parentPort!.on("message", (request: WorkerRequest) => {
  if (request.type === "check") {
    const outcome = checkHarness(request.source, request.entryPoint, JSON.stringify(request.modules));
    post({ type: "done", outcome: String(outcome) });
    return;
  }
  const state: RunState = {
    logBytes: 0,
    hostCalls: 0,
    maxLogBytes: request.maxLogBytes,
    maxHostCalls: request.maxHostCalls,
    fetch: request.fetch,
    partial: "",
  };
  current = state;
  Atomics.store(interruptFlag, 0, 0);
  let outcome: string;
  try {
    const site = request.packages ? install(request.packages) : null;
    const reply = runHarness(
      request.source,
      request.entryPoint,
      request.inputJson,
      request.maxResultBytes,
      site,
      request.fetch,
    );
    // The harness returns a str (a JS string here). Code that replaced the harness may make it return
    // anything else: that is a malformed reply, and a Python object's proxy is released at once.
    if (typeof reply !== "string") (reply as { destroy?: () => void } | null)?.destroy?.();
    outcome = typeof reply === "string" ? reply : "";
  } catch (error) {
    outcome = JSON.stringify(["error", { name: "Error", message: String(error).slice(0, 2000), stack: "" }]);
  }
  if (state.partial) writer(encoder.encode("\n"));
  current = undefined;
  post({ type: "done", outcome, ...(state.failure ? { failure: state.failure } : {}) });
  Atomics.store(interruptFlag, 0, 0);
  resetHarness();
});
