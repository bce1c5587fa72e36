// Sandbox run latency and throughput for a trivial function (JS, TS, Python) through the public API,
// with baselines from the same run: an IPC round trip to a bare child, and a fresh isolate + trivial
// eval measured inside a child (isolated-vm is never loaded in this process), plus this process's RSS
// across 10,000 runs.
import { fork } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileUserCode, createSandboxPool, type SandboxPool } from "@agentrt/sandbox";
import { ms, type Summary, sample, settledMemory, summarize, table, verdict } from "./lib.ts";

const N = Number(process.env.BENCH_SANDBOX_RUNS ?? 2_000);
const N_PY = Math.ceil(N / 4);
const RSS_RUNS = 10_000;
const THROUGHPUT_MS = 3_000;

const mb = (megabytes: number) => `${megabytes.toFixed(1)} MB`;

/** Closed-loop throughput: `concurrency` callers issuing runs back to back for `durationMs`. */
async function throughput(
  concurrency: number,
  durationMs: number,
  fn: () => Promise<unknown>,
): Promise<number> {
  let count = 0;
  const until = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await fn();
        count++;
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/** A pure-Python package of about 512 KiB (what a few small libraries weigh), as pip would install it. */
function createPackageDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "agentrt-bench-py-"));
  mkdirSync(join(dir, "benchpkg"));
  const functions = Array.from({ length: 14_000 }, (_, i) => `def f${i}(x):\n    return x + ${i}\n`);
  writeFileSync(
    join(dir, "benchpkg", "__init__.py"),
    `${functions.join("")}def answer(n):\n    return n + 1\n`,
  );
  return dir;
}

/** A bare child that echoes IPC messages: the transport cost every sandbox run pays. */
async function ipcBaseline(): Promise<Summary> {
  const file = join(tmpdir(), "agentrt-bench-echo.mjs");
  writeFileSync(
    file,
    "process.on('message', (m) => process.send(m)); process.on('disconnect', () => process.exit(0));\n",
  );
  const child = fork(file, { env: {}, stdio: "ignore" });
  const echo = (i: number) =>
    new Promise<void>((resolve) => {
      child.once("message", () => resolve());
      child.send({ type: "run", id: i, payload: "x".repeat(64) });
    });
  const summary = await sample(N, echo);
  child.disconnect();
  return summary;
}

/** Fresh isolate + context + trivial eval + dispose, timed inside a child with --no-node-snapshot. */
async function isolateBaseline(): Promise<Summary> {
  const sandboxRequire = createRequire(fileURLToPath(import.meta.resolve("@agentrt/sandbox")));
  const ivmPath = sandboxRequire.resolve("isolated-vm");
  const file = join(tmpdir(), "agentrt-bench-isolate.cjs");
  writeFileSync(
    file,
    `const ivm = require(${JSON.stringify(ivmPath)});
const samples = [];
for (let i = 0; i < ${N} + 200; i++) {
  const t = performance.now();
  const isolate = new ivm.Isolate({ memoryLimit: 64 });
  const context = isolate.createContextSync();
  context.evalSync("(function main(n) { return n + 1; })(41)");
  isolate.dispose();
  if (i >= 200) samples.push(performance.now() - t);
}
process.send(samples);
`,
  );
  const child = fork(file, { execArgv: ["--no-node-snapshot"], env: {}, stdio: "ignore" });
  const samples = await new Promise<number[]>((resolve) =>
    child.once("message", (m) => resolve(m as number[])),
  );
  child.disconnect();
  return summarize(samples);
}

export default async function main(): Promise<void> {
  const pool: SandboxPool = createSandboxPool({ jsWorkers: 2, pythonWorkers: 1, maxRunsPerWorker: 100_000 });
  const compiled = {
    js: await compileUserCode({
      language: "javascript",
      source: "export function main(n) { return n + 1; }",
      entryPoint: "main",
    }),
    ts: await compileUserCode({
      language: "typescript",
      source: "export function main(n: number): number { return n + 1; }",
      entryPoint: "main",
    }),
    py: await compileUserCode({
      language: "python",
      source: "def main(n, ctx):\n    return n + 1\n",
      entryPoint: "main",
    }),
    // The package is written into the interpreter once; each run puts it on sys.path and imports it.
    pyPackage: await compileUserCode({
      language: "python",
      source: "import benchpkg\ndef main(n, ctx):\n    return benchpkg.answer(n)\n",
      entryPoint: "main",
      dependencies: ["benchpkg"],
      allowedDependencies: ["benchpkg"],
      resolveDir: createPackageDir(),
    }),
  };
  const run = (key: keyof typeof compiled) => () => pool.run({ compiled: compiled[key], input: 41 });
  // Wait for the Python worker to be warm (its first run also pays for nothing but the queue).
  await run("py")();

  const js = await sample(N, run("js"));
  // The same, with 1 ms between runs: what an API server with any idle time sees (the JS children
  // pre-create the next isolate between runs; back to back, that ~1 ms of set-up lands on the next run).
  const pacedSamples: number[] = [];
  for (let i = 0; i < N; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    const start = performance.now();
    await run("js")();
    pacedSamples.push(performance.now() - start);
  }
  const pacedSummary = summarize(pacedSamples);
  const ts = await sample(N, run("ts"));
  const py = await sample(N_PY, run("py"), 50);
  const pyPackage = await sample(N_PY, run("pyPackage"), 50);
  const ipc = await ipcBaseline();
  const isolate = await isolateBaseline();

  table(
    `Sandbox: trivial function, sequential runs (warm pool; JS/TS get a fresh isolate per run)`,
    ["case", "n", "p50", "p99", "mean", "target"],
    [
      ["JavaScript, back to back", js.n, ms(js.p50), ms(js.p99), ms(js.mean), verdict(js.p50, 2)],
      [
        "JavaScript, 1 ms between runs",
        pacedSummary.n,
        ms(pacedSummary.p50),
        ms(pacedSummary.p99),
        ms(pacedSummary.mean),
        verdict(pacedSummary.p50, 2),
      ],
      ["TypeScript", ts.n, ms(ts.p50), ms(ts.p99), ms(ts.mean), verdict(ts.p50, 2)],
      ["Python (Pyodide)", py.n, ms(py.p50), ms(py.p99), ms(py.mean), verdict(py.p50, 20)],
      [
        "Python, importing a 512 KiB declared package",
        pyPackage.n,
        ms(pyPackage.p50),
        ms(pyPackage.p99),
        ms(pyPackage.mean),
        verdict(pyPackage.p50, 20),
      ],
      ["baseline: IPC round trip, bare child", ipc.n, ms(ipc.p50), ms(ipc.p99), ms(ipc.mean), ""],
      [
        "baseline: fresh isolate + eval, in child",
        isolate.n,
        ms(isolate.p50),
        ms(isolate.p99),
        ms(isolate.mean),
        "",
      ],
    ],
  );

  const jsRate = await throughput(8, THROUGHPUT_MS, run("js"));
  const pyRate = await throughput(2, THROUGHPUT_MS, run("py"));
  // The phases above warmed everything up; what the next runs leave behind would be a leak.
  const before = settledMemory();
  let extra = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (extra < RSS_RUNS) {
        extra++;
        await run("js")();
      }
    }),
  );
  const rssRate = RSS_RUNS / ((performance.now() - started) / 1000);
  const after = settledMemory();
  table(
    "Sandbox: throughput on this machine (2 JS workers, 1 Python worker; closed loop)",
    ["case", "runs/sec", "note"],
    [
      ["JavaScript, 8 concurrent callers", jsRate.toFixed(0), `${THROUGHPUT_MS / 1000} s`],
      ["Python, 2 concurrent callers", pyRate.toFixed(0), "one interpreter: runs are serial"],
      [
        `JavaScript, ${RSS_RUNS} runs`,
        rssRate.toFixed(0),
        `server RSS ${mb(before.rssMb)} -> ${mb(after.rssMb)}, heap used ${mb(before.heapMb)} -> ${mb(after.heapMb)} (after full GCs)`,
      ],
    ],
  );
  console.log(`  pool stats after the runs: ${JSON.stringify(pool.stats())}`);
  await pool.close();
}

if (import.meta.main) await main();
