import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv } from "../src/env.js";
import { ADMIN_KEY, createTestHost, serverDir, startTestServer } from "./helpers.js";
import { type ServerProcess, startServerProcess } from "./process.js";
import { parsePrometheusTextFormat, sampleValue } from "./prometheus.js";
import { readSse, type SseEvent } from "./sse.js";

const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs `dist/main.js` to its exit; for starts that must fail. */
function runToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(serverDir, "dist/main.js")], {
    env: { PATH: process.env.PATH, AGENTRT_LOG_LEVEL: "error", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

describe("start-up problems an operator can fix", () => {
  it("a wrong AGENTRT_* value: one line per problem, naming the variable and what it accepts", async () => {
    expect(() => parseEnv({ AGENTRT_PORT: "70000", AGENTRT_ADMIN_KEY: "short-secret" })).toThrow(
      /^invalid AGENTRT_PORT: must be an integer from 0 to 65535 \(got "70000"\)\ninvalid AGENTRT_ADMIN_KEY: .*20.*$/,
    );
    // A secret is never echoed back.
    expect(() => parseEnv({ AGENTRT_ADMIN_KEY: "short-secret" })).not.toThrow(/short-secret/);

    const { code, stdout, stderr } = await runToExit({
      AGENTRT_PORT: "abc",
      AGENTRT_LOG_LEVEL: "loud",
      AGENTRT_RUN_CONCURRENCY: "0",
      AGENTRT_DATA_DIR: tempDir("agentrt-badenv-"),
    });
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n")).toEqual([
      'agentrt: invalid AGENTRT_PORT: must be an integer from 0 to 65535 (got "abc")',
      'agentrt: invalid AGENTRT_RUN_CONCURRENCY: must be an integer of at least 1 (got "0")',
      'agentrt: invalid AGENTRT_LOG_LEVEL: must be one of: debug, info, warn, error, silent (got "loud")',
    ]);
  });

  it("a port in use: one line, exit code 1, and no admin key stored that was never shown", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    const dataDir = tempDir("agentrt-port-");
    const env = {
      AGENTRT_PORT: String(port),
      AGENTRT_DATA_DIR: dataDir,
      AGENTRT_HOST_DIR: tempDir("agentrt-host-"),
    };
    try {
      const { code, stdout, stderr } = await runToExit(env);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toBe(`agentrt: port ${port} is in use; set AGENTRT_PORT\n`);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
    // The store kept no key from the failed start: this start generates one and shows it.
    const server = await startServerProcess(env);
    cleanup.push(() => server.stop("SIGKILL"));
    const key = /generated an admin API key[^\n]*\n\n\s+(art_\S+)/.exec(server.stdout())?.[1];
    expect(key).toBeDefined();
    const agents = await fetch(`${server.url}/v1/agents`, { headers: { authorization: `Bearer ${key}` } });
    expect(agents.status).toBe(200);
    expect(await server.stop()).toBe(0);
  }, 60_000);
});

describe("a graceful stop", () => {
  it("lets a sync run in progress finish and answer, and accepts nothing new meanwhile", async () => {
    const server = await startTestServer({ AGENTRT_SHUTDOWN_GRACE_MS: "60000" });
    await server.call("POST", "/v1/agents", { name: "echo", template: "echo" });
    const inFlight = server.call("POST", "/v1/agents/echo/runs", { input: { sleepMs: 1500 }, mode: "sync" });
    await expect
      .poll(async () => server.services.runtime.engine.stats().running, { timeout: 30_000 })
      .toBe(1);
    const stopping = server.stop();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: "succeeded" });
    await stopping;
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  }, 60_000);

  it("answers a request that arrives on an open connection meanwhile with 503 NOT_READY, and counts it", async () => {
    const server = await startTestServer({ AGENTRT_SHUTDOWN_GRACE_MS: "60000" });
    await server.call("POST", "/v1/agents", { name: "echo", template: "echo" });
    await server.call("POST", "/v1/agents", { name: "longer", template: "echo" });
    // Keeps the stop from finishing (and the metrics from closing) until the test has read them.
    const longer = server.call("POST", "/v1/agents/longer/runs", { input: { sleepMs: 5000 }, mode: "sync" });
    // A connection busy with a run when the stop begins, on which the next request then arrives.
    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1");
    const head = `host: localhost\r\nauthorization: Bearer ${ADMIN_KEY}\r\n`;
    const body = JSON.stringify({ input: { sleepMs: 1000 }, mode: "sync" });
    socket.write(
      `POST /v1/agents/echo/runs HTTP/1.1\r\n${head}content-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    const answered = once(socket, "close").then(() => Buffer.concat(chunks).toString("utf8"));
    await expect
      .poll(async () => server.services.runtime.engine.stats().running, { timeout: 30_000 })
      .toBe(2);
    const stopping = server.stop();
    socket.write(`GET /v1/agents HTTP/1.1\r\n${head}\r\n`);
    const [first, second] = (await answered).split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200 /);
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toMatch(/\r\nretry-after: 1\r\n/i);
    expect(second).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(second!.slice(second!.indexOf("\r\n\r\n") + 4))).toMatchObject({
      status: 503,
      code: "NOT_READY",
    });
    const families = parsePrometheusTextFormat(await server.services.metrics.render());
    const requests = families.get("agentrt_http_requests_total");
    expect(sampleValue(requests, { method: "_OTHER", route: "", status: "503" })).toBe(1);
    expect((await longer).status).toBe(200);
    await stopping;
  }, 60_000);

  it("ends the stream of a run that never started with an error event, not a broken connection", async () => {
    const server = await startTestServer({ AGENTRT_RUN_CONCURRENCY: "1" });
    await server.call("POST", "/v1/agents", { name: "echo", template: "echo" });
    const start = () =>
      server.call("POST", "/v1/agents/echo/runs", { input: { sleepMs: 600_000 }, mode: "background" });
    await start();
    const waiting = await start();
    expect(waiting.body.status).toBe("queued");
    const stream = await server.api(`/v1/runs/${waiting.body.id}/events`);
    const reading = readSse(stream);
    await server.stop();
    const events = await reading;
    expect(events.map((e) => e.event)).toEqual(["run.queued", "error"]);
    expect(events[1]).toMatchObject({ id: undefined, data: { type: "error", error: { code: "NOT_READY" } } });
  }, 60_000);
});

describe("SIGTERM with open event streams", () => {
  const STREAMS = 50;
  const GRACE_MS = 1500;

  async function start(dataDir: string, hostDir: string): Promise<ServerProcess> {
    const server = await startServerProcess({
      AGENTRT_DATA_DIR: dataDir,
      AGENTRT_HOST_DIR: hostDir,
      AGENTRT_ADMIN_KEY: ADMIN_KEY,
      AGENTRT_SHUTDOWN_GRACE_MS: String(GRACE_MS),
      AGENTRT_RUN_CONCURRENCY: String(STREAMS),
      AGENTRT_RUN_CONCURRENCY_PER_AGENT: String(STREAMS),
      AGENTRT_SSE_HEARTBEAT_MS: "200",
      AGENTRT_LOG_LEVEL: "error",
    });
    cleanup.push(() => server.stop("SIGKILL"));
    return server;
  }

  const api = (server: ServerProcess, path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
    });

  it("ends every stream with a last event, exits 0 within the grace period, and loses no event", async () => {
    const dataDir = tempDir("agentrt-sigterm-");
    const hostDir = createTestHost();
    cleanup.push(() => rmSync(hostDir, { recursive: true, force: true }));
    const server = await start(dataDir, hostDir);
    await api(server, "/v1/agents", {
      method: "POST",
      body: JSON.stringify({ name: "slow", template: "echo" }),
    });

    // Runs far longer than the grace period: shutdown must not wait for them.
    const runIds: string[] = [];
    for (let i = 0; i < STREAMS; i++) {
      const res = await api(server, "/v1/agents/slow/runs", {
        method: "POST",
        body: JSON.stringify({ input: { sleepMs: 600_000 }, mode: "background" }),
      });
      expect(res.status).toBe(202);
      runIds.push(((await res.json()) as { id: string }).id);
    }
    // Every run has started, so each stream has events to lose.
    const opened = runIds.map(async (id) => {
      const res = await api(server, `/v1/runs/${id}/events`);
      expect(res.status).toBe(200);
      return res;
    });
    const streams = await Promise.all(opened);
    const reading = streams.map((res) => readSse(res));
    for (;;) {
      const list = await (await api(server, "/v1/runs?agent=slow&status=running&limit=100")).json();
      if ((list as { data: unknown[] }).data.length === STREAMS) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const signalled = Date.now();
    const exitCode = await server.stop("SIGTERM");
    const tookMs = Date.now() - signalled;
    expect(exitCode).toBe(0);
    // Far below the runs' 600 s: the grace period (1.5 s) bounds the wait, whatever the machine's load.
    expect(tookMs).toBeLessThan(60_000);

    const received = await Promise.all(reading);
    for (const events of received) {
      // Each stream ended cleanly with a last event: the run's interrupted end.
      const last = events.at(-1)!;
      expect(last.event).toBe("run.finished");
      expect(last.data).toMatchObject({ status: "failed", error: { code: "RUN_INTERRUPTED" } });
    }

    // After a restart the replay holds every event each stream saw, in order, up to the interruption.
    const again = await start(dataDir, hostDir);
    for (const [i, id] of runIds.entries()) {
      const replay: SseEvent[] = await readSse(await api(again, `/v1/runs/${id}/events`));
      expect(replay.map((e) => [e.id, e.event, e.data])).toEqual(
        received[i]!.map((e) => [e.id, e.event, e.data]),
      );
    }
    expect(await again.stop()).toBe(0);
  }, 120_000);
});
