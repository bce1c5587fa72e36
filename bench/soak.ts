// Retention soak: the same mixed load at full speed against two fresh servers in one run, pruning
// off and then on (short retention), for BENCH_SOAK_SECONDS each (default 150). Reports the store
// size curve of each, failures, and write-path latency (run submission) with pruning on vs off.
// `BENCH=soak node bench/run.ts`; the acceptance bar is on p99 within 20 % of pruning off.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { BENCH_KEY, firstPartyLinks, startBenchServer } from "./host.ts";
import { ms, summarize, table } from "./lib.ts";

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 150);
const CLIENTS = Number(process.env.BENCH_SOAK_CLIENTS ?? 10);
const SAMPLE_EVERY_MS = Math.max(1000, (SECONDS * 1000) / 12);
const headers = { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" };

const OFF = {
  AGENTRT_RETENTION_RUN_MAX_AGE: "off",
  AGENTRT_RETENTION_SCHEDULE_RUN_MAX_COUNT: "off",
  AGENTRT_RETENTION_INTERVAL: "2s",
};
/** Short enough that the store must reach its plateau well inside the soak. */
const ON = {
  AGENTRT_RETENTION_RUN_MAX_AGE: `${Math.max(5, Math.round(SECONDS / 6))}s`,
  AGENTRT_RETENTION_COMPACT_EVENTS_AFTER: "3s",
  AGENTRT_RETENTION_TOMBSTONE_TTL: "30s",
  AGENTRT_RETENTION_INTERVAL: "2s",
};

/** Bytes of the database file and its WAL. */
function storeBytes(dataDir: string): number {
  return readdirSync(dataDir)
    .filter((f) => f.startsWith("agentrt.db"))
    .reduce((sum, f) => sum + statSync(join(dataDir, f)).size, 0);
}

interface PhaseResult {
  requests: number;
  failures: number;
  firstFailure: string | undefined;
  submit: number[];
  sync: number[];
  stream: number[];
  sizes: { at: number; bytes: number }[];
  pruned: number;
}

async function phase(env: Record<string, string>): Promise<PhaseResult> {
  const server = await startBenchServer({
    links: firstPartyLinks(),
    env: { AGENTRT_RUN_CONCURRENCY: "32", AGENTRT_RUN_CONCURRENCY_PER_AGENT: "32", ...env },
  });
  const result: PhaseResult = {
    requests: 0,
    failures: 0,
    firstFailure: undefined,
    submit: [],
    sync: [],
    stream: [],
    sizes: [],
    pruned: 0,
  };
  const call = async (path: string, body?: unknown): Promise<Response> => {
    const res = await fetch(`${server.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    result.requests++;
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  try {
    await call("/v1/agents", {
      name: "two-step",
      template: "task",
      config: {
        steps: [
          { id: "a", kind: "transform", template: "hello {{input.n}}" },
          { id: "b", kind: "transform", template: "{{steps.a.output}} again" },
        ],
        outputFormat: "last",
      },
    });
    await call("/v1/agents", { name: "echo", template: "echo", config: { greeting: "hi" } });

    const started = performance.now();
    const end = started + SECONDS * 1000;
    const sampler = setInterval(() => {
      result.sizes.push({ at: (performance.now() - started) / 1000, bytes: storeBytes(server.dataDir) });
    }, SAMPLE_EVERY_MS);
    const timed = async (into: number[], work: () => Promise<unknown>) => {
      const t = performance.now();
      await work();
      into.push(performance.now() - t);
    };
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let i = 0; performance.now() < end; i++) {
          try {
            if (i % 4 === 0) {
              // The write path: a background submission answers once the run is stored and queued.
              await timed(result.submit, async () => {
                await (
                  await call("/v1/agents/echo/runs", { input: `${client}-${i}`, mode: "background" })
                ).json();
              });
            } else if (i % 4 === 3) {
              await timed(result.stream, async () => {
                await (await call("/v1/agents/echo/runs", { input: "s", mode: "stream" })).text();
              });
            } else {
              await timed(result.sync, async () => {
                await (await call("/v1/agents/two-step/runs", { input: { n: i } })).json();
              });
            }
          } catch (error) {
            result.failures++;
            result.firstFailure ??= String(error);
          }
        }
      }),
    );
    clearInterval(sampler);
    result.sizes.push({ at: SECONDS, bytes: storeBytes(server.dataDir) });
    result.pruned = server.server.services.runtime.retention.stats().runsPruned;
  } finally {
    await server.close();
  }
  return result;
}

export default async function bench(): Promise<void> {
  const off = await phase(OFF);
  const on = await phase(ON);
  const mb = (b: number | undefined) => (b === undefined ? "-" : `${(b / 1048576).toFixed(1)} MB`);
  table(
    `Retention soak: store size (db + WAL) over ${SECONDS} s per phase, ${CLIENTS} clients at full speed`,
    ["t", "pruning off", "pruning on"],
    off.sizes.map((s, i) => [`${s.at.toFixed(0)} s`, mb(s.bytes), mb(on.sizes[i]?.bytes)]),
  );
  const row = (label: string, a: number[], b: number[]) => {
    const x = summarize(a);
    const y = summarize(b);
    return [
      label,
      x.n,
      ms(x.p50),
      ms(x.p99),
      y.n,
      ms(y.p50),
      ms(y.p99),
      `${((y.p99 / x.p99 - 1) * 100).toFixed(0)} %`,
    ];
  };
  table(
    "Retention soak: latency with pruning off vs on (same load, same run)",
    ["operation", "off n", "off p50", "off p99", "on n", "on p50", "on p99", "p99 change (bar: within 20 %)"],
    [
      row("submit (background, write path)", off.submit, on.submit),
      row("sync two-step task run", off.sync, on.sync),
      row("streamed echo run", off.stream, on.stream),
    ],
  );
  table(
    "Retention soak: totals",
    ["phase", "requests", "failures", "runs pruned", "first failure"],
    [
      ["pruning off", off.requests, off.failures, off.pruned, off.firstFailure ?? "-"],
      ["pruning on", on.requests, on.failures, on.pruned, on.firstFailure ?? "-"],
    ],
  );
}
