/** Pool behaviour through the public API: streaming, fetch, cancellation, crashes, hangs, recycling. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandboxPool, type SandboxPool } from "../src/index.js";
import { childPids, compile, expectCode, js, waitFor } from "./helpers.js";

let server: Server;
let origin: string;
let pool: SandboxPool;
const events: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/big") return res.end("x".repeat(2 * 1024 * 1024));
    res.setHeader("x-echo", req.method ?? "");
    res.end(JSON.stringify({ path: req.url, method: req.method }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pool = createSandboxPool({
    jsWorkers: 2,
    pythonWorkers: 0,
    heartbeatMs: 200,
    maxRunsPerWorker: 50,
    fetchAllowList: [`127.0.0.1:${(server.address() as AddressInfo).port}`],
    defaults: { timeoutMs: 2_000 },
    onEvent: (message) => events.push(message),
  });
});

afterAll(async () => {
  await pool.close();
  expect(childPids()).toEqual([]);
  server.close();
});

describe("runs", () => {
  it("runs TypeScript with a default export, streaming logs and progress", async () => {
    const compiled = await compile(
      "typescript",
      "export default async function (input: { n: number }, ctx: any): Promise<number> { console.log('start'); ctx.log('n is', input.n, { deep: [1] }); ctx.progress(1, 2); return input.n * 2; }",
    );
    expect(compiled.entryPoint).toBe("default");
    const lines: string[] = [];
    const progress: number[][] = [];
    const out = await pool.run({
      compiled,
      input: { n: 21 },
      onLog: (line) => lines.push(line),
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(out.result).toBe(42);
    expect(out.logs).toEqual(["start", 'n is 21 {"deep":[1]}']);
    expect(lines).toEqual(out.logs);
    expect(progress).toEqual([[1, 2]]);
    expect(out.durationMs).toBeGreaterThan(0);
  });

  it("reports the user's error with a capped stack", async () => {
    const compiled = await js(
      "function inner() { throw new TypeError('bad input'); }\nexport function main() { inner(); }",
    );
    const error = await expectCode(pool.run({ compiled, input: null }), "USER_CODE_ERROR");
    expect(error.message).toBe("TypeError: bad input");
    expect(error.details).toMatchObject({ name: "TypeError" });
    expect(String(error.details?.stack)).toMatch(/inner/);
  });

  it("reports an entry point that is not a function at run time", async () => {
    const compiled = await js("export const main = 42;");
    await expectCode(pool.run({ compiled, input: null }), "ENTRYPOINT_NOT_FOUND");
  });

  it("returns undefined as null and rejects input that is not JSON", async () => {
    const compiled = await js("export function main() {}");
    await expect(pool.run({ compiled, input: undefined })).resolves.toMatchObject({ result: null });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expectCode(pool.run({ compiled, input: cyclic }), "BAD_REQUEST");
  });

  it("applies per-run limits and validates them", async () => {
    const compiled = await js("export function main() { return 'x'.repeat(100); }");
    await expectCode(pool.run({ compiled, input: null, limits: { maxResultBytes: 50 } }), "RESULT_TOO_LARGE");
    await expectCode(pool.run({ compiled, input: null, limits: { timeoutMs: -1 } }), "BAD_REQUEST");
    const bigHeap = await js("export function main() { return new Array(1e6).fill(1).length; }");
    await expect(
      pool.run({ compiled: bigHeap, input: null, limits: { memoryMb: 128 } }),
    ).resolves.toMatchObject({
      result: 1e6,
    });
  });

  it("refuses Python when the pool has no Python workers", async () => {
    const compiled = {
      language: "python" as const,
      code: "def main(i, ctx): pass",
      entryPoint: "main",
      sha256: "",
    };
    await expectCode(pool.run({ compiled, input: null }), "NOT_READY");
  });

  it("runs many requests concurrently", async () => {
    const compiled = await js(
      "export async function main(n) { await new Promise((r) => setTimeout(r, 5)); return n; }",
    );
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => pool.run({ compiled, input: n })));
    expect(results.map((r) => r.result)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(pool.stats().activeRuns).toBe(0);
  });
});

describe("fetch through the host", () => {
  it("fetches allow-listed URLs", async () => {
    const compiled = await js(
      "export async function main(url, ctx) { const r = await ctx.fetch(url + '/hello', { method: 'POST', body: 'hi', headers: { a: 'b' } }); return { status: r.status, ok: r.ok, echo: r.headers.get('X-Echo'), body: await r.json() }; }",
    );
    const { result } = await pool.run({ compiled, input: origin });
    expect(result).toEqual({ status: 200, ok: true, echo: "POST", body: { path: "/hello", method: "POST" } });
  });

  it("refuses hosts off the list, other schemes and oversized bodies", async () => {
    const compiled = await js(
      "export async function main(url, ctx) { try { await ctx.fetch(url); return 'fetched'; } catch (e) { return e.message; } }",
    );
    const tries = ["http://localhost:1/", "file:///etc/passwd", `${origin}/big`];
    const results = await Promise.all(tries.map((input) => pool.run({ compiled, input })));
    expect(results.map((r) => r.result)).toEqual([
      expect.stringMatching(/not on the fetch allow-list/),
      expect.stringMatching(/URLs are not allowed/),
      expect.stringMatching(/larger than/),
    ]);
  });
});

describe("cancellation", () => {
  it("cancels a running and a queued run", async () => {
    const compiled = await js("export function main() { return new Promise(() => {}); }");
    const controller = new AbortController();
    const runs = Array.from({ length: 10 }, () =>
      pool.run({ compiled, input: null, signal: controller.signal }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const outcomes = await Promise.allSettled(runs);
    for (const outcome of outcomes)
      expect(outcome).toMatchObject({ status: "rejected", reason: { code: "RUN_CANCELLED" } });
    await expect(pool.run({ compiled, input: null, signal: AbortSignal.abort() })).rejects.toThrow();
  });
});

describe("supervision", () => {
  const slow = () =>
    js("export function main(ms) { return new Promise((r) => setTimeout(() => r('done'), ms)); }");

  it("fails only the runs of a crashed process and replaces it", async () => {
    const compiled = await slow();
    const before = childPids("js-child");
    expect(before).toHaveLength(2);
    const crashesBefore = pool.stats().crashes;
    const runs = [pool.run({ compiled, input: 1_000 }), pool.run({ compiled, input: 1_000 })];
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(before[0]!, "SIGKILL");
    const outcomes = await Promise.allSettled(runs);
    const codes = outcomes
      .map((o) => (o.status === "fulfilled" ? "ok" : (o.reason as { code: string }).code))
      .sort();
    expect(codes).toEqual(["SANDBOX_CRASHED", "ok"]);
    expect(pool.stats().crashes).toBe(crashesBefore + 1);
    await waitFor(() => pool.stats().jsWorkers === 2 && childPids("js-child").length === 2);
    await expect(pool.run({ compiled, input: 1 })).resolves.toMatchObject({ result: "done" });
    expect(events.some((e) => /ended/.test(e))).toBe(true);
  });

  it("kills and replaces a process that stops answering heartbeats", async () => {
    const compiled = await slow();
    const [victim] = childPids("js-child");
    const runs = [pool.run({ compiled, input: 1_500 }), pool.run({ compiled, input: 1_500 })];
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.kill(victim!, "SIGSTOP");
    const outcomes = await Promise.allSettled(runs);
    expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(1);
    expect(events.some((e) => /no heartbeat/.test(e))).toBe(true);
    expect(pool.stats().kills.heartbeat).toBeGreaterThanOrEqual(1);
    await waitFor(() => childPids("js-child").length === 2 && !childPids("js-child").includes(victim!));
  });

  it("recycles a process after its run budget", async () => {
    const compiled = await js("export function main() { return 1; }");
    const before = childPids("js-child");
    for (let i = 0; i < 120; i++) await pool.run({ compiled, input: null });
    await waitFor(() => childPids("js-child").every((pid) => !before.includes(pid)));
    expect(pool.stats()).toMatchObject({ jsWorkers: 2, activeRuns: 0 });
  });

  it("fails runs after close", async () => {
    const closing = createSandboxPool({ jsWorkers: 1, pythonWorkers: 0 });
    const compiled = await js("export function main() { return 1; }");
    await expect(closing.run({ compiled, input: null })).resolves.toMatchObject({ result: 1 });
    await closing.close();
    await expectCode(closing.run({ compiled, input: null }), "NOT_READY");
  });
});
