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
        agentrt: { template: "./index.js", coreApi: "^2.0.0" },
        exports: { ".": "./index.js", "./package.json": "./package.json" },
        peerDependencies: { "@agentrt/core": "^2.0.0", zod: "^4.0.0" },
      }),
    );
    writeFileSync(
      join(dir, "index.js"),
      `import { defineTemplate } from "@agentrt/core";
import { z } from "zod";
export default defineTemplate({
  name: "gen-${i}",
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
  args: string[];
  /** Server scenarios: host dir and cache mode; the baseline has none. */
  server?: { hostDir: string; cache: "off" | "cold" | "warm" };
  ready: number[];
  rss: number;
  templates: string;
}

function serverEnv(s: NonNullable<Scenario["server"]>, dataDir: string): Record<string, string> {
  return {
    AGENTRT_PORT: "0",
    AGENTRT_HOST_DIR: s.hostDir,
    AGENTRT_DATA_DIR: dataDir,
    AGENTRT_ADMIN_KEY: KEY,
    AGENTRT_LOG_LEVEL: "warn",
    AGENTRT_DISCOVERY_CACHE: s.cache === "off" ? "off" : "on",
  };
}

/**
 * Runs every scenario once per round, round after round, so that load from anything else on the
 * machine falls on all of them alike. Each server scenario keeps one data dir: the store exists
 * after a first untimed start, like any restart; "cold" deletes the cache file before each start.
 */
async function measureScenarios(scenarios: Scenario[]): Promise<void> {
  const dataDirs = scenarios.map(() => mkdtempSync(join(tmpdir(), "agentrt-bench-start-")));
  try {
    for (let round = -1; round < RUNS; round++) {
      for (const [i, s] of scenarios.entries()) {
        const env = s.server ? serverEnv(s.server, dataDirs[i]!) : {};
        if (s.server?.cache === "cold") rmSync(join(dataDirs[i]!, "discovery-cache.json"), { force: true });
        const started = await startOnce(s.args, env, round === 0);
        if (round < 0) continue;
        s.ready.push(started.readyMs);
        if (round === 0) s.rss = started.rssMb;
        s.templates = s.server ? String(started.templates) : "-";
      }
    }
  } finally {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** One discovery + load alone in a fresh process (core already imported), without or with a cache. */
function measureDiscovery(hostDir: string, cacheFile: string | undefined): number {
  const probe = `
    const { discoverTemplates, loadDiscoveryCache } = await import("@agentrt/runtime");
    const [hostDir, cacheFile] = process.argv.slice(1);
    const start = performance.now();
    const cache = cacheFile ? loadDiscoveryCache(cacheFile) : undefined;
    const result = await discoverTemplates({ hostDir, ...(cache ? { cache } : {}) });
    cache?.save();
    const elapsed = performance.now() - start;
    if (result.loaded.length !== ${GENERATED}) throw new Error("loaded " + result.loaded.length);
    console.log(elapsed);
  `;
  const out = execFileSync(
    process.execPath,
    ["--input-type=module", "-e", probe, hostDir, ...(cacheFile ? [cacheFile] : [])],
    { cwd: root, encoding: "utf8" },
  );
  return Number(out.trim());
}

export default async function bench(): Promise<void> {
  const three = createBenchHost({ fixtures: {}, links: firstPartyLinks() });
  const many = createBenchHost({ fixtures: {} });
  addGeneratedTemplates(many.dir, GENERATED);
  const cacheDir = mkdtempSync(join(tmpdir(), "agentrt-bench-cache-"));
  try {
    const scenario = (label: string, server?: Scenario["server"]): Scenario => ({
      label,
      args: server ? [serverMain] : ["--input-type=module", "-e", BASELINE],
      ...(server ? { server } : {}),
      ready: [],
      rss: Number.NaN,
      templates: "-",
    });
    const scenarios = [
      scenario("baseline: bare Hono process, spawn → first response"),
      scenario("agentrt: 3 first-party templates, cache off", { hostDir: three.dir, cache: "off" }),
      scenario("agentrt: 3 first-party templates, cache cold", { hostDir: three.dir, cache: "cold" }),
      scenario("agentrt: 3 first-party templates, cache warm", { hostDir: three.dir, cache: "warm" }),
      scenario(`agentrt: ${GENERATED} generated templates, cache off`, { hostDir: many.dir, cache: "off" }),
      scenario(`agentrt: ${GENERATED} generated templates, cache warm`, { hostDir: many.dir, cache: "warm" }),
    ];
    await measureScenarios(scenarios);
    table(
      `Server cold start, own process each, spawn → first 200 from GET /ready, ${RUNS} interleaved rounds (idle RSS 1 s after ready)`,
      ["what", "min", "p50", "max", "templates", "target < 300 ms", "idle RSS (target < 100 MB)"],
      scenarios.map((s) => {
        const sum = summarize(s.ready);
        return [
          s.label,
          ms(Math.min(...s.ready)),
          ms(sum.p50),
          ms(sum.p99),
          s.templates,
          s.server?.hostDir === three.dir ? verdict(sum.p50, 300) : "-",
          `${s.rss.toFixed(0)} MB`,
        ];
      }),
    );

    const cacheFile = join(cacheDir, "discovery-cache.json");
    measureDiscovery(many.dir, cacheFile);
    const cold: number[] = [];
    const warm: number[] = [];
    for (let round = 0; round < RUNS; round++) {
      cold.push(measureDiscovery(many.dir, undefined));
      warm.push(measureDiscovery(many.dir, cacheFile));
    }
    table(
      `Discovery + load of ${GENERATED} generated templates in a fresh process (core imported first), ${RUNS} runs`,
      ["what", "p50", "max", "target"],
      [
        ...(
          [
            ["no cache", summarize(cold)],
            ["warm metadata cache", summarize(warm)],
          ] as const
        ).map(([label, sum]) => [label, ms(sum.p50), ms(sum.p99), verdict(sum.p50, 500)]),
      ],
    );
  } finally {
    three.remove();
    many.remove();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
