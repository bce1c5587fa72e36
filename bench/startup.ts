// Cold start of the server as its own process (spawn → first successful GET /ready) with the three
// first-party templates and with 100 generated templates, with and without a warm discovery cache,
// plus discovery + load alone for 100 templates and the idle RSS. Baseline in the same run: a bare
// Hono server process (spawn → first response).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createBenchHost, firstPartyLinks } from "./host.ts";
import { ms, summarize, table, verdict } from "./lib.ts";

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const GENERATED = 100;
const KEY = "art_bench-admin-key-0123456789abcdefghijklmn";
const root = resolve(import.meta.dirname, "..");
const serverMain = join(root, "apps/server/dist/main.js");

/** A bare Hono server: the floor for "a Node HTTP process starts and answers". */
const BASELINE = `
  import { serve } from "@hono/node-server";
  import { Hono } from "hono";
  const app = new Hono();
  app.get("/ready", (c) => c.json({ status: "ready" }));
  serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) =>
    process.stdout.write("listening on http://127.0.0.1:" + info.port + "\\n"));
`;

/** Adds `count` small template packages (a zod config schema, a one-event run) to a host app. */
function addGeneratedTemplates(hostDir: string, count: number): void {
  const manifestPath = join(hostDir, "package.json");
  const host = JSON.parse(readFileSync(manifestPath, "utf8"));
  for (let i = 0; i < count; i++) {
    const name = `agentrt-template-gen-${String(i).padStart(3, "0")}`;
    const dir = join(hostDir, "node_modules", name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name,
        version: "1.0.0",
        type: "module",
        keywords: ["agentrt-template"],
        agentrt: { template: "./index.js", coreApi: "^1.0.0" },
        exports: { ".": "./index.js", "./package.json": "./package.json" },
        peerDependencies: { "@agentrt/core": "^1.0.0", zod: "^4.0.0" },
      }),
    );
    writeFileSync(
      join(dir, "index.js"),
      `import { defineTemplate } from "@agentrt/core";
import { z } from "zod";
export default defineTemplate({
  name: "gen-${i}",
  version: "1.0.0",
  coreApi: "^1.0.0",
  description: "generated template ${i}",
  configSchema: z.object({ prompt: z.string().max(1000).default("hi"), n: z.number().int().default(${i}) }),
  create(config) {
    return { async *run(input) { yield { type: "output", output: { ...config, input } }; } };
  },
});
`,
    );
    host.dependencies[name] = "1.0.0";
  }
  writeFileSync(manifestPath, JSON.stringify(host, null, 2));
}

interface Started {
  readyMs: number;
  rssMb: number;
  templates: number;
}

function waitForUrl(child: ChildProcess): Promise<string> {
  let out = "";
  let err = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`process exited with ${code}: ${out}\n${err}`)));
  });
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Spawns, waits for the first successful GET /ready, reads idle RSS after a short settle, stops. */
async function startOnce(args: string[], env: Record<string, string>, measureRss: boolean): Promise<Started> {
  const start = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const url = await waitForUrl(child);
    const res = await fetch(`${url}/ready`);
    const body = (await res.json()) as { templates?: { loaded: number } };
    if (res.status !== 200) throw new Error(`/ready answered ${res.status}`);
    const readyMs = performance.now() - start;
    let rss = Number.NaN;
    if (measureRss) {
      await new Promise((r) => setTimeout(r, 1000));
      rss = rssMb(child.pid!);
    }
    return { readyMs, rssMb: rss, templates: body.templates?.loaded ?? 0 };
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
}

interface Scenario {
  label: string;
  hostDir: string;
  cache: "off" | "cold" | "warm";
}

async function measureScenario(s: Scenario): Promise<{ ready: number[]; rss: number; templates: number }> {
  const ready: number[] = [];
  let rss = Number.NaN;
  let templates = 0;
  // One data dir per scenario: the store exists after the warm-up start, like any restart.
  const dataDir = mkdtempSync(join(tmpdir(), "agentrt-bench-start-"));
  const env = {
    AGENTRT_PORT: "0",
    AGENTRT_HOST_DIR: s.hostDir,
    AGENTRT_DATA_DIR: dataDir,
    AGENTRT_ADMIN_KEY: KEY,
    AGENTRT_LOG_LEVEL: "warn",
    AGENTRT_DISCOVERY_CACHE: s.cache === "off" ? "off" : "on",
  };
  try {
    await startOnce([serverMain], env, false);
    for (let i = 0; i < RUNS; i++) {
      if (s.cache === "cold") rmSync(join(dataDir, "discovery-cache.json"), { force: true });
      const started = await startOnce([serverMain], env, i === 0);
      ready.push(started.readyMs);
      if (i === 0) rss = started.rssMb;
      templates = started.templates;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { ready, rss, templates };
}

/** Discovery + load alone in a fresh process (core already imported), cold or with a warm cache. */
function measureDiscovery(hostDir: string, cacheFile: string | undefined): number[] {
  const probe = `
    const { discoverTemplates, loadDiscoveryCache } = await import("@agentrt/core");
    const [hostDir, cacheFile] = process.argv.slice(1);
    const start = performance.now();
    const cache = cacheFile ? loadDiscoveryCache(cacheFile) : undefined;
    const result = await discoverTemplates({ hostDir, ...(cache ? { cache } : {}) });
    cache?.save();
    const elapsed = performance.now() - start;
    if (result.loaded.length !== ${GENERATED}) throw new Error("loaded " + result.loaded.length);
    console.log(elapsed);
  `;
  return Array.from({ length: RUNS }, () =>
    Number(
      execFileSync(
        process.execPath,
        ["--input-type=module", "-e", probe, hostDir, ...(cacheFile ? [cacheFile] : [])],
        {
          cwd: root,
          encoding: "utf8",
        },
      ).trim(),
    ),
  );
}

export default async function bench(): Promise<void> {
  const three = createBenchHost({ fixtures: {}, links: firstPartyLinks() });
  const many = createBenchHost({ fixtures: {} });
  addGeneratedTemplates(many.dir, GENERATED);
  const cacheDir = mkdtempSync(join(tmpdir(), "agentrt-bench-cache-"));
  try {
    const baseline: number[] = [];
    let baselineRss = Number.NaN;
    const baselineArgs = ["--input-type=module", "-e", BASELINE];
    await startOnce(baselineArgs, {}, false);
    for (let i = 0; i < RUNS; i++) {
      const started = await startOnce(baselineArgs, {}, i === 0);
      baseline.push(started.readyMs);
      if (i === 0) baselineRss = started.rssMb;
    }

    const scenarios: Scenario[] = [
      { label: "3 first-party templates, cache off", hostDir: three.dir, cache: "off" },
      { label: "3 first-party templates, cache cold", hostDir: three.dir, cache: "cold" },
      { label: "3 first-party templates, cache warm", hostDir: three.dir, cache: "warm" },
      { label: `${GENERATED} generated templates, cache off`, hostDir: many.dir, cache: "off" },
      { label: `${GENERATED} generated templates, cache warm`, hostDir: many.dir, cache: "warm" },
    ];
    const rows: string[][] = [];
    const base = summarize(baseline);
    rows.push([
      "baseline: bare Hono process, spawn → first response",
      ms(base.p50),
      ms(base.p99),
      "-",
      "-",
      `${baselineRss.toFixed(0)} MB`,
    ]);
    for (const s of scenarios) {
      const result = await measureScenario(s);
      const sum = summarize(result.ready);
      const target = s.hostDir === three.dir ? verdict(sum.p50, 300) : "-";
      rows.push([
        `agentrt: ${s.label}`,
        ms(sum.p50),
        ms(sum.p99),
        String(result.templates),
        target,
        `${result.rss.toFixed(0)} MB`,
      ]);
    }
    table(
      `Server cold start, own process each, spawn → first 200 from GET /ready, ${RUNS} runs (idle RSS after 1 s)`,
      ["what", "p50", "max", "templates", "target < 300 ms", "idle RSS (target < 100 MB)"],
      rows,
    );

    const cacheFile = join(cacheDir, "discovery-cache.json");
    const cold = summarize(measureDiscovery(many.dir, undefined));
    measureDiscovery(many.dir, cacheFile);
    const warm = summarize(measureDiscovery(many.dir, cacheFile));
    table(
      `Discovery + load of ${GENERATED} generated templates in a fresh process (core imported first), ${RUNS} runs`,
      ["what", "p50", "max", "target"],
      [
        ["no cache", ms(cold.p50), ms(cold.p99), verdict(cold.p50, 500)],
        ["warm metadata cache", ms(warm.p50), ms(warm.p99), verdict(warm.p50, 500)],
      ],
    );
  } finally {
    three.remove();
    many.remove();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
