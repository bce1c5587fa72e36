import { rmSync } from "node:fs";
import { busListeners, freshDatabaseUrl, terminateBackends } from "@agentrt/store-postgres/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ADMIN_KEY, createTestHost } from "./helpers.js";
import { type ServerProcess, startServerProcess } from "./process.js";
import { readSse, type SseEvent } from "./sse.js";

const hostDir = createTestHost();
const processes: ServerProcess[] = [];
const headers = { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" };

/** Starts `count` server processes on one PostgreSQL schema (`roles[i]` for node i, else `all`). */
async function cluster(
  count: number,
  env: Record<string, string> = {},
  roles: string[] = [],
  databaseUrl = freshDatabaseUrl(),
): Promise<ServerProcess[]> {
  const nodes: ServerProcess[] = [];
  // One after the other: the first migrates, the others find the schema ready (concurrent start-up
  // is covered by the store's own tests).
  for (let i = 0; i < count; i++) {
    const node = await startServerProcess({
      AGENTRT_DATABASE_URL: databaseUrl,
      AGENTRT_HOST_DIR: hostDir,
      AGENTRT_ADMIN_KEY: ADMIN_KEY,
      AGENTRT_ROLE: roles[i] ?? "all",
      // Key rate limits count across nodes: tests that send hundreds of requests go unlimited.
      AGENTRT_RATE_LIMIT_READ: "0",
      AGENTRT_RATE_LIMIT_INVOKE: "0",
      AGENTRT_RATE_LIMIT_ADMIN: "0",
      ...env,
    });
    processes.push(node);
    nodes.push(node);
  }
  return nodes;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
async function call(node: ServerProcess, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(node.url + path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { ...((await res.json()) as object), http: res.status };
}

function follow(node: ServerProcess, runId: string, lastEventId?: number): Promise<SseEvent[]> {
  return fetch(`${node.url}/v1/runs/${runId}/events`, {
    headers: { ...headers, ...(lastEventId === undefined ? {} : { "last-event-id": String(lastEventId) }) },
  }).then((res) => readSse(res));
}

async function runningOn(node: ServerProcess): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`, { headers })).text();
  return Number(/^agentrt_runs_running (\d+)/m.exec(text)?.[1]);
}

/** A node's `agentrt_run_queue_wait_seconds` for one template: how many runs it started, and their wait. */
async function queueWait(node: ServerProcess, template: string): Promise<{ count: number; sum: number }> {
  const text = await (await fetch(`${node.url}/metrics`, { headers })).text();
  const read = (part: string) =>
    Number(
      new RegExp(`^agentrt_run_queue_wait_seconds_${part}\\{template="${template}"\\} (\\S+)`, "m").exec(
        text,
      )?.[1] ?? 0,
    );
  return { count: read("count"), sum: read("sum") };
}

/** Event ids 1…n, each once, ending with exactly one run.finished. */
function expectWholeLog(events: SseEvent[]): void {
  expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
  expect(events.filter((e) => e.event === "run.finished")).toHaveLength(1);
  expect(events.at(-1)?.event).toBe("run.finished");
}

const ended = (run: { status: string }) => !["queued", "running"].includes(run.status);

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `work` for every item, a batch of 10 at a time: hundreds of requests, without flooding the nodes. */
async function inBatches<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 10) await Promise.all(items.slice(i, i + 10).map(work));
}

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop("SIGKILL")));
});
afterAll(() => rmSync(hostDir, { recursive: true, force: true }));

describe("several nodes on one PostgreSQL", () => {
  it("follows a run on another node live, resumes it on any node and cancels it from any node", async () => {
    const [a, b] = await cluster(2);
    expect((await call(a!, "POST", "/v1/agents", { name: "echo", template: "echo" })).http).toBe(201);
    const ready = await call(b!, "GET", "/ready");
    expect(ready).toMatchObject({ status: "ready", store: "postgres", role: "all" });

    // Accepted and executed by B, followed through A from before it starts.
    const run = await call(b!, "POST", "/v1/agents/echo/runs", {
      input: { sleepMs: 1500 },
      mode: "background",
    });
    const live = await follow(a!, run.id);
    expectWholeLog(live);
    expect(live.map((e) => e.event)).toContain("output");
    expect((await call(a!, "GET", `/v1/runs/${run.id}`)).http).toBe(200);
    // Last-Event-ID resumes on either node with exactly the rest.
    for (const node of [a!, b!]) {
      const rest = await follow(node, run.id, 2);
      expect(rest.map((e) => e.id)).toEqual(live.slice(2).map((e) => e.id));
    }

    // Cancelled through A while B executes it: B stops the template itself.
    const long = await call(b!, "POST", "/v1/agents/echo/runs", {
      input: { sleepMs: 120_000 },
      mode: "background",
    });
    const started = await fetch(`${a!.url}/v1/runs/${long.id}/events`, { headers });
    await readSse(started, (e) => e.event === "run.started");
    expect(await runningOn(b!)).toBe(1);
    const cancelled = await call(a!, "POST", `/v1/runs/${long.id}/cancel`);
    expect(cancelled).toMatchObject({ status: "cancelled", error: { code: "RUN_CANCELLED" } });
    // Had A ended the run on B's behalf, B's template would still sleep and hold its slot.
    expect(await runningOn(b!)).toBe(0);
    expectWholeLog(await follow(b!, long.id));
  });

  it("takes over the runs of a node killed mid-run: every run ends, logs stay whole, followers see the end", async () => {
    // The limits count the whole cluster and all runs are one agent's: at the default 4 per agent the
    // test would mostly wait for slots (the limits themselves are the concurrency test's subject).
    const nodes = await cluster(3, {
      AGENTRT_LEASE_MS: "3000",
      AGENTRT_RUN_CONCURRENCY: "16",
      AGENTRT_RUN_CONCURRENCY_PER_AGENT: "16",
    });
    await call(nodes[0]!, "POST", "/v1/agents", { name: "worker", template: "echo" });
    const total = Number(process.env.AGENTRT_MULTI_NODE_RUNS ?? 500);
    const runs: { id: string; node: number }[] = [];
    await inBatches(
      Array.from({ length: total }, (_, i) => i),
      async (i) => {
        const node = i % 3;
        const run = await call(nodes[node]!, "POST", "/v1/agents/worker/runs", {
          // The doomed node's runs last long enough to be mid-run when it is killed.
          input: { sleepMs: node === 1 ? 2000 : 100 + (i % 5) * 100 },
          mode: "background",
        });
        expect(run.http).toBe(202);
        runs.push({ id: run.id, node });
      },
    );
    // SSE clients on the surviving nodes follow every run the doomed node holds.
    const doomed = runs.filter((r) => r.node === 1);
    const followers = doomed.map((r, i) => follow(nodes[i % 2 === 0 ? 0 : 2]!, r.id));
    await until(async () => ((await runningOn(nodes[1]!)) > 0 ? true : undefined));
    await nodes[1]!.stop("SIGKILL");

    const seen = await Promise.all(followers);
    for (const events of seen) expectWholeLog(events);
    let interrupted = 0;
    await inBatches(runs, async (run) => {
      const record = await until(async () => {
        const r = await call(nodes[run.node === 0 ? 2 : 0]!, "GET", `/v1/runs/${run.id}`);
        return ["queued", "running"].includes(r.status) ? undefined : r;
      });
      if (record.status !== "succeeded") {
        // Only runs of the killed node may fail, and only as interrupted (echo is not idempotent).
        expect(run.node).toBe(1);
        expect(record).toMatchObject({ status: "failed", error: { code: "RUN_INTERRUPTED" } });
        interrupted++;
      }
      expectWholeLog(await follow(nodes[0]!, run.id));
    });
    // The kill came mid-run: the runs it cut short were taken over and ended by the others.
    expect(interrupted).toBeGreaterThan(0);
  }, 300_000);

  it("keeps one thread's runs one at a time across two nodes: reject refuses, enqueue runs all in order", async () => {
    const [a, b] = await cluster(2);
    await call(a!, "POST", "/v1/agents", { name: "chat", template: "echo" });
    for (const strategy of ["reject", "enqueue"] as const) {
      const thread = await call(a!, "POST", "/v1/threads", { agent: "chat" });
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call(i % 2 ? a! : b!, "POST", "/v1/agents/chat/runs", {
            input: { sleepMs: 100 },
            mode: "background",
            threadId: thread.id,
            multitaskStrategy: strategy,
          }),
        ),
      );
      const accepted = answers.filter((r) => r.http === 202);
      if (strategy === "reject") {
        expect(accepted.length).toBeGreaterThanOrEqual(1);
        for (const refused of answers.filter((r) => r.http !== 202)) {
          expect(refused).toMatchObject({ http: 409, code: "THREAD_BUSY" });
        }
      } else expect(accepted).toHaveLength(20);
      const ended = await Promise.all(
        accepted.map((r) =>
          until(async () => {
            const run = await call(a!, "GET", `/v1/runs/${r.id}`);
            return run.finishedAt ? run : undefined;
          }),
        ),
      );
      // In acceptance (id) order, each starts only after the one before it finished.
      const ordered = ended.sort((x, y) => (x.id < y.id ? -1 : 1));
      for (const run of ordered) expect(run.status).toBe("succeeded");
      for (let i = 1; i < ordered.length; i++) {
        expect(Date.parse(ordered[i].startedAt)).toBeGreaterThanOrEqual(
          Date.parse(ordered[i - 1].finishedAt),
        );
      }
    }
  }, 120_000);

  it("splits roles: an API node accepts runs, worker nodes execute them and answer operations only", async () => {
    const [api, w1, w2] = await cluster(3, { AGENTRT_RUN_CONCURRENCY: "4" }, ["api", "worker", "worker"]);
    expect(await call(api!, "GET", "/ready")).toMatchObject({ store: "postgres", role: "api" });
    expect(await call(w1!, "GET", "/ready")).toMatchObject({ store: "postgres", role: "worker" });
    expect((await call(w1!, "GET", "/v1/agents")).http).toBe(404);
    await call(api!, "POST", "/v1/agents", { name: "job", template: "echo" });
    const runs = await Promise.all(
      Array.from({ length: 30 }, () =>
        call(api!, "POST", "/v1/agents/job/runs", { input: { sleepMs: 1000 }, mode: "background" }),
      ),
    );
    const logs = Promise.all(runs.map((run) => follow(api!, run.id)));
    // Each worker takes only as many runs as it has slots for, so both get a share.
    const busy = new Set<number>();
    await until(async () => {
      for (const [i, worker] of [w1!, w2!].entries()) if ((await runningOn(worker)) > 0) busy.add(i);
      return busy.size === 2 ? true : undefined;
    });
    for (const events of await logs) expectWholeLog(events);
    for (const run of runs) expect((await call(api!, "GET", `/v1/runs/${run.id}`)).status).toBe("succeeded");
    expect(await runningOn(api!)).toBe(0);
    // The workers count how long the runs the API node accepted waited; 30 runs on 4 slots wait seconds.
    const waits = await Promise.all([w1!, w2!].map((worker) => queueWait(worker, "echo")));
    expect(waits.reduce((n, w) => n + w.count, 0)).toBe(30);
    expect(waits.reduce((n, w) => n + w.sum, 0)).toBeGreaterThan(5);
  }, 120_000);

  it("reports the same per-template and per-agent statistics from every node (read from the store)", async () => {
    const [a, b] = await cluster(2);
    expect((await call(a!, "POST", "/v1/agents", { name: "counted", template: "echo" })).http).toBe(201);
    for (const input of ["x", "y", "z"])
      expect((await call(a!, "POST", "/v1/agents/counted/runs", { input })).status).toBe("succeeded");
    expect((await call(b!, "POST", "/v1/agents/counted/runs", { input: { fail: true } })).status).toBe(
      "failed",
    );
    const agentStats = await Promise.all([a!, b!].map((n) => call(n, "GET", "/v1/agents/counted/stats")));
    for (const stats of agentStats)
      expect(stats).toMatchObject({ http: 200, runs: 4, errors: 1, errorRate: 0.25 });
    expect(agentStats[0]).toEqual(agentStats[1]);
    const templateStats = await Promise.all([a!, b!].map((n) => call(n, "GET", "/v1/templates/echo/stats")));
    expect(templateStats[0]).toEqual(templateStats[1]);
    expect(templateStats[0].versions.reduce((n: number, v: { runs: number }) => n + v.runs, 0)).toBe(4);
  });

  it("counts an agent's limits and a key's rate limit across nodes", async () => {
    const [a, b] = await cluster(2, { AGENTRT_RATE_LIMIT_WINDOW_S: "3600" });
    const submit = (agent: string, i: number) =>
      call(i % 2 ? a! : b!, "POST", `/v1/agents/${agent}/runs`, {
        input: { sleepMs: 200 },
        mode: "background",
      });

    // maxConcurrentRuns 1: of parallel submissions through both nodes one is in flight at a time.
    await call(a!, "POST", "/v1/agents", {
      name: "single",
      template: "echo",
      limits: { maxConcurrentRuns: 1 },
    });
    const accepted: string[] = [];
    for (let round = 0; round < 4; round++) {
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => submit("single", i)));
      const ok = answers.filter((r) => r.http === 202);
      expect(ok).toHaveLength(1);
      for (const refused of answers.filter((r) => r.http !== 202)) {
        expect(refused).toMatchObject({ http: 429, code: "RATE_LIMITED" });
      }
      accepted.push(ok[0].id);
      await until(async () =>
        (await call(b!, "GET", `/v1/runs/${ok[0].id}`)).finishedAt ? true : undefined,
      );
    }
    const runs = await Promise.all(accepted.map((id) => call(a!, "GET", `/v1/runs/${id}`)));
    runs.sort((x, y) => Date.parse(x.startedAt) - Date.parse(y.startedAt));
    for (let i = 1; i < runs.length; i++) {
      expect(Date.parse(runs[i].startedAt)).toBeGreaterThanOrEqual(Date.parse(runs[i - 1].finishedAt));
    }

    // maxRunsPerMinute 3: three runs a minute for the cluster, not three per node.
    await call(b!, "POST", "/v1/agents", {
      name: "paced",
      template: "echo",
      limits: { maxRunsPerMinute: 3 },
    });
    const paced = await Promise.all(Array.from({ length: 8 }, (_, i) => submit("paced", i)));
    expect(paced.filter((r) => r.http === 202)).toHaveLength(3);
    expect(paced.filter((r) => r.http === 429)).toHaveLength(5);

    // A key's 5 invoke requests per window, spent through both nodes: the sixth is refused on either.
    const key = await call(a!, "POST", "/v1/api-keys", {
      name: "invoker",
      scopes: ["invoke"],
      rateLimits: { invoke: 5 },
    });
    await call(a!, "POST", "/v1/agents", { name: "free", template: "echo" });
    const invoke = (node: ServerProcess) =>
      fetch(`${node.url}/v1/agents/free/runs`, {
        method: "POST",
        headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
        body: JSON.stringify({ input: {}, mode: "background" }),
      }).then((res) => res.status);
    const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => invoke(i % 2 ? a! : b!)));
    expect(statuses.filter((s) => s === 202)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  }, 60_000);

  it("holds the run concurrency limits, in all and per agent, across nodes", async () => {
    const [a, b] = await cluster(2, { AGENTRT_RUN_CONCURRENCY: "2", AGENTRT_RUN_CONCURRENCY_PER_AGENT: "1" });
    for (const name of ["left", "right"]) await call(a!, "POST", "/v1/agents", { name, template: "echo" });
    const accepted = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(i % 2 ? a! : b!, "POST", `/v1/agents/${i % 4 < 2 ? "left" : "right"}/runs`, {
          input: { sleepMs: 200 },
          mode: "background",
        }),
      ),
    );
    const runs = await Promise.all(
      accepted.map((run) =>
        until(async () => {
          const record = await call(a!, "GET", `/v1/runs/${run.id}`);
          return ended(record) ? record : undefined;
        }),
      ),
    );
    for (const run of runs) expect(run.status).toBe("succeeded");
    /** Runs executing, on any node, at the moment `run` started (itself included). */
    const atStart = (run: { startedAt: string }, of: typeof runs) =>
      of.filter((r) => r.startedAt <= run.startedAt && run.startedAt < r.finishedAt).length;
    for (const run of runs) {
      expect(atStart(run, runs)).toBeLessThanOrEqual(2);
      expect(
        atStart(
          run,
          runs.filter((r) => r.agentId === run.agentId),
        ),
      ).toBe(1);
    }
  }, 60_000);

  it("fences a stalled node: once its run was taken over, its late writes are refused", async () => {
    const [a, b] = await cluster(2, { AGENTRT_LEASE_MS: "3000" });
    await call(a!, "POST", "/v1/agents", { name: "slow", template: "echo" });
    const run = await call(a!, "POST", "/v1/agents/slow/runs", {
      input: { sleepMs: 4000 },
      mode: "background",
    });
    await readSse(
      await fetch(`${b!.url}/v1/runs/${run.id}/events`, { headers }),
      (e) => e.event === "run.started",
    );
    // A stalls (a GC pause, a frozen VM) past its lease: B takes the run over and ends it.
    a!.child.kill("SIGSTOP");
    const taken = await until(async () => {
      const record = await call(b!, "GET", `/v1/runs/${run.id}`);
      return ended(record) ? record : undefined;
    });
    expect(taken).toMatchObject({ status: "failed", error: { code: "RUN_INTERRUPTED" } });
    // A wakes up, its template finishes and tries to record its output: refused, A stops the run.
    a!.child.kill("SIGCONT");
    await until(async () => (a!.stderr().includes("another node took the run over") ? true : undefined));
    const events = await follow(a!, run.id);
    expectWholeLog(events);
    expect(events.map((e) => e.event)).not.toContain("output");
    expect(await call(a!, "GET", `/v1/runs/${run.id}`)).toMatchObject({
      status: "failed",
      error: taken.error,
      finishedAt: taken.finishedAt,
    });
    expect(await runningOn(a!)).toBe(0);
  }, 60_000);

  it("a follower on one node misses nothing of a run on another while its LISTEN connection is cut", async () => {
    const databaseUrl = freshDatabaseUrl();
    const schema = new URL(databaseUrl).searchParams.get("schema")!;
    const [b] = await cluster(1, {}, [], databaseUrl);
    const others = await until(async () => {
      const pids = await busListeners(schema);
      return pids.length === 1 ? pids : undefined;
    });
    const [a] = await cluster(1, {}, [], databaseUrl);
    /** A's listening connections: every one on the schema that is not B's. */
    const listenersOfA = async () => (await busListeners(schema)).filter((pid) => !others.includes(pid));
    await until(async () => ((await listenersOfA()).length === 1 ? true : undefined));
    await call(b!, "POST", "/v1/agents", { name: "far", template: "echo" });

    const run = await call(b!, "POST", "/v1/agents/far/runs", {
      input: { sleepMs: 1500 },
      mode: "background",
    });
    let cut: Promise<void> | undefined;
    const followed = readSse(await fetch(`${a!.url}/v1/runs/${run.id}/events`, { headers }), (e) => {
      // Once the follower is live, A's bus stays cut off until the run has ended on B.
      if (e.event === "run.started") {
        cut ??= (async () => {
          while (!ended(await call(b!, "GET", `/v1/runs/${run.id}`))) {
            await terminateBackends(await listenersOfA());
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        })();
      }
      return false;
    });
    const events = await followed;
    await cut;
    expectWholeLog(events);
    expect(events.map((e) => e.event)).toContain("output");
  }, 60_000);

  it("fires a per-second schedule once per tick across three nodes", async () => {
    const nodes = await cluster(3);
    await call(nodes[0]!, "POST", "/v1/agents", { name: "ticker", template: "echo" });
    const schedule = await call(nodes[1]!, "POST", "/v1/schedules", {
      agent: "ticker",
      cron: "* * * * * *",
      input: "tick",
    });
    expect(schedule.http).toBe(201);
    const seconds = Number(process.env.AGENTRT_MULTI_NODE_CRON_SECONDS ?? 30);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const runs = await call(nodes[2]!, "GET", "/v1/runs?agent=ticker&limit=200");
    expect(runs.data.length).toBeGreaterThan(0);
    // Each tick is claimed by one node: no two runs share a schedule second.
    const ticks = runs.data.map((r: { createdAt: string }) => r.createdAt.slice(0, 19));
    expect(new Set(ticks).size).toBe(ticks.length);
  }, 90_000);
});
