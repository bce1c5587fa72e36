/** Public types of @agentrt/sandbox. Everything that crosses the package boundary is plain data. */

export type SandboxLanguage = "javascript" | "typescript" | "python";

export interface CompileOptions {
  language: SandboxLanguage;
  source: string;
  /** Name of the exported function to call. Defaulting it (to "main") is the caller's job. */
  entryPoint: string;
  /** Package names the user wants bundled (JS/TS) or importable (Python). */
  dependencies?: string[];
  /** Operator allow-list; any dependency or import outside it is DEPENDENCY_NOT_ALLOWED. */
  allowedDependencies?: string[];
  /**
   * Where the allowed packages are installed: a `node_modules` root for JS/TS (esbuild's resolveDir),
   * a `pip install --target` directory of pure-Python packages for Python.
   */
  resolveDir?: string;
}

/** Pure-Python packages an agent declared, read at compile time and installed in memory by the interpreter. */
export interface PythonPackageBundle {
  /** sha256 over paths and contents: an interpreter installs each bundle once. */
  sha256: string;
  /** Top-level module names the bundle provides (what user code may import besides the stdlib). */
  modules: string[];
  /** Path relative to the package directory -> file contents, base64. */
  files: Record<string, string>;
}

export interface CompiledCode {
  language: SandboxLanguage;
  /** JS/TS: one self-contained script. Python: the checked source. */
  code: string;
  /** The export actually called (`"default"` when `main` was asked for and only a default export exists). */
  entryPoint: string;
  /** sha256 (hex) of `code`, so a stored revision can be checked for integrity. */
  sha256: string;
  /** Python only: the declared dependencies, when there are any. */
  pythonPackages?: PythonPackageBundle;
}

export interface SandboxLimits {
  /** Wall-clock limit of one run, including awaited promises. */
  timeoutMs: number;
  /** Heap limit of the run's isolate (JS) or growth of the interpreter's memory (Python). */
  memoryMb: number;
  /** Total bytes of log lines one run may produce. */
  maxLogBytes: number;
  /** Bytes of the JSON-encoded result. */
  maxResultBytes: number;
  /** Nesting depth of the JSON-encoded result. */
  maxResultDepth: number;
  /** Calls from user code into the host (log, progress, fetch). */
  maxHostCalls: number;
}

export interface SandboxRunRequest {
  compiled: CompiledCode;
  /** Must be JSON-serialisable; the code receives a copy. */
  input: unknown;
  /**
   * Who the code runs for (e.g. the agent id). A Python interpreter serves one key for its whole life:
   * runs of different keys never share one. Runs without a key share one among themselves. JS ignores
   * it: every JS run gets a fresh isolate.
   */
  isolationKey?: string;
  limits?: Partial<SandboxLimits>;
  signal?: AbortSignal;
  onLog?(line: string): void;
  onProgress?(done: number, total: number): void;
}

export interface SandboxRunResult {
  result: unknown;
  logs: string[];
  durationMs: number;
}

export interface SandboxPoolOptions {
  jsWorkers?: number;
  /**
   * Warm unbound Python interpreters kept ready (default 1; 0 disables Python), and the most
   * interpreters bound to isolation keys at once (least recently used ones beyond it are retired).
   */
  pythonWorkers?: number;
  defaults?: Partial<SandboxLimits>;
  /** Host patterns (`api.example.com`, `*.example.com`, `127.0.0.1:8080`); when empty, `ctx.fetch` is absent. */
  fetchAllowList?: string[];
  /**
   * Internal destinations `ctx.fetch` may reach (egress allow-list entries: host names, IP
   * addresses, CIDR ranges). IP addresses named in `fetchAllowList` count already; a host name there
   * that resolves to a loopback/private/link-local … address is refused unless listed here.
   */
  fetchAllowInternal?: string[];
  /** A worker process is replaced after this many runs (default 1000 JS, 200 Python). */
  maxRunsPerWorker?: number;
  /** A worker process is replaced when its RSS passes this many MiB (default 512 JS, 1024 Python). */
  maxWorkerRssMb?: number;
  /** Heartbeat period; a worker that misses 3 in a row is killed and replaced (default 1000). */
  heartbeatMs?: number;
  /** Called with operational messages (worker replaced, network isolation unavailable...). */
  onEvent?(message: string): void;
}

export interface SandboxPoolStats {
  jsWorkers: number;
  /** All live Python processes: spares plus bound. */
  pythonWorkers: number;
  /** Warm Python interpreters not bound to any key yet. */
  pythonSpares: number;
  /** Python interpreters bound to an isolation key. */
  pythonBound: number;
  activeRuns: number;
  crashes: number;
  /** Children the host killed, by reason (`deadline`, `heartbeat`, `closed`, `error`). */
  kills: Readonly<Partial<Record<"deadline" | "heartbeat" | "closed" | "error", number>>>;
}

export interface SandboxPool {
  run(req: SandboxRunRequest): Promise<SandboxRunResult>;
  stats(): SandboxPoolStats;
  close(): Promise<void>;
}
