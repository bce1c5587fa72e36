import { createRequire } from "node:module";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHost, serverDir, startTestServer, type TestServer } from "./helpers.js";
import { readSse } from "./sse.js";
import { startUpstream, type Upstream } from "./upstream.js";

let server: TestServer;
let upstream: Upstream;
const taskDir = dirname(
  createRequire(`${serverDir}/package.json`).resolve("@agentrt/template-task/package.json"),
);

beforeAll(async () => {
  upstream = await startUpstream();
  server = await startTestServer({
    AGENTRT_HOST_DIR: createTestHost({ "@agentrt/template-task": taskDir }),
    // The upstream listens on 127.0.0.1: the operator allows exactly that internal address.
    AGENTRT_TEMPLATE_SETTINGS: JSON.stringify({ task: { allowInternal: ["127.0.0.1"] } }),
  });
});
afterAll(async () => {
  await server.stop();
  await upstream.close();
});

async function createTask(name: string, config: Record<string, unknown>) {
  const res = await server.call("POST", "/v1/agents", { name, template: "task", config });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe("task template through the runs API", () => {
  it("is discovered like a third-party template", async () => {
    const { body } = await server.call("GET", "/v1/templates/task");
    expect(body.versions[0]).toMatchObject({ packageName: "@agentrt/template-task" });
  });

  it("reports a dependency cycle as 422 with the offending step's path", async () => {
    const res = await server.call("POST", "/v1/agents", {
      name: "cyclic",
      template: "task",
      config: {
        steps: [
          { id: "a", kind: "wait", seconds: 0, dependsOn: ["b"] },
          { id: "b", kind: "wait", seconds: 0, dependsOn: ["a"] },
        ],
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("CONFIG_INVALID");
    expect(res.body.errors[0].path.slice(0, 2)).toEqual(["config", "steps"]);
    expect(res.body.errors[0].message).toMatch(/cycle/i);
  });

  it("refuses, at create time and at its field path, an agent step naming no agent and a non-http URL", async () => {
    const res = await server.call("POST", "/v1/agents", {
      name: "dangling",
      template: "task",
      config: {
        steps: [
          { id: "fetch", kind: "http", url: "ftp://files.example.com/report.csv" },
          { id: "delegate", kind: "agent", agent: "no-such-agent" },
        ],
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("CONFIG_INVALID");
    expect(res.body.errors).toEqual([
      { path: ["config", "steps", 0, "url"], message: expect.stringContaining("(scheme)") },
      { path: ["config", "steps", 1, "agent"], message: 'no agent "no-such-agent" exists (create it first)' },
    ]);
    await createTask("delegate-target", { steps: [{ id: "w", kind: "wait", seconds: 0 }] });
    await createTask("delegating", { steps: [{ id: "d", kind: "agent", agent: "delegate-target" }] });
  });

  it("succeeds on the third try of a flaky endpoint", async () => {
    await createTask("flaky", {
      retryCount: 3,
      retryBackoffMs: 10,
      steps: [{ id: "call", kind: "http", url: `${upstream.url}/flaky?fails=2` }],
    });
    const res = await server.call("POST", "/v1/agents/flaky/runs", {});
    expect(res.body).toMatchObject({ status: "succeeded", output: { call: { attempt: 3 } } });
    expect(upstream.hits["/flaky"]).toBe(3);
  });

  it("stops at the first failure in strict mode and carries on otherwise", async () => {
    const steps = [
      { id: "bad", kind: "http", url: `${upstream.url}/fail` },
      { id: "after", kind: "http", url: `${upstream.url}/ok`, dependsOn: ["bad"] },
      { id: "independent", kind: "http", url: `${upstream.url}/independent` },
    ];
    await createTask("strict", { steps });
    await createTask("lenient", { steps, strictMode: false });
    const strict = await server.call("POST", "/v1/agents/strict/runs", {});
    expect(strict.body).toMatchObject({ status: "failed", error: { code: "task.STEP_FAILED" } });
    expect(upstream.hits["/independent"]).toBeUndefined();

    const lenient = await server.api("/v1/agents/lenient/runs", {
      method: "POST",
      body: JSON.stringify({ mode: "stream" }),
    });
    expect(lenient.headers.get("x-agentrt-run-id")).toMatch(/^run_/);
    const events = await readSse(lenient);
    const finished = events
      .filter((e) => e.event === "step.finished")
      .map((e) => [e.data.stepId, e.data.status]);
    expect(finished).toEqual(
      expect.arrayContaining([
        ["bad", "failed"],
        ["after", "skipped"],
        ["independent", "succeeded"],
      ]),
    );
    expect(events.filter((e) => e.event === "progress").at(-1)?.data).toMatchObject({ total: 3 });
    expect(events.at(-1)?.data).toMatchObject({ status: "succeeded", output: { independent: { ok: true } } });
  });

  it("runs independent steps in parallel: about the slowest step, not the sum", async () => {
    const steps = ["a", "b", "c"].map((id) => ({
      id,
      kind: "http",
      url: `${upstream.url}/slow?ms=400&${id}`,
    }));
    await createTask("parallel", { steps, parallelExecution: true });
    const started = Date.now();
    const res = await server.call("POST", "/v1/agents/parallel/runs", {});
    const elapsed = Date.now() - started;
    expect(res.body.status).toBe("succeeded");
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(1100); // sequential would take 1200 ms or more
  });

  it("cancel aborts the running http step and ends the run cancelled", async () => {
    await createTask("slowpoke", {
      steps: [{ id: "wait-up", kind: "http", url: `${upstream.url}/slow?ms=60000` }],
    });
    const { body: run } = await server.call("POST", "/v1/agents/slowpoke/runs", { mode: "background" });
    await readSse(await server.api(`/v1/runs/${run.id}/events`), (e) => e.event === "step.started");
    const aborted = upstream.closedEarly("/slow");
    const cancelled = await server.call("POST", `/v1/runs/${run.id}/cancel`);
    expect(cancelled.body.status).toBe("cancelled");
    await aborted; // the upstream saw its connection closed: the step really stopped
  });

  it("ends a run that exceeds its timeout as timed_out", async () => {
    await createTask("sleeper", { steps: [{ id: "nap", kind: "wait", seconds: 30 }] });
    const res = await server.call("POST", "/v1/agents/sleeper/runs", { timeoutMs: 300 });
    expect(res.body).toMatchObject({ status: "timed_out", error: { code: "RUN_TIMEOUT" } });
  });
});

describe("task steps under the egress policy", () => {
  it("refuses internal URLs a caller passes in, other than the one the operator allows", async () => {
    await createTask("fetcher", { steps: [{ id: "call", kind: "http", url: "{{input.url}}" }] });
    const invokeKey = (await server.call("POST", "/v1/api-keys", { name: "fetcher", scopes: ["invoke"] }))
      .body.key;
    const port = new URL(upstream.url).port;
    for (const [url, reason] of [
      [`http://[::1]:${port}/ok`, "::1 is not allowed (loopback)"],
      [`http://0x7f.2:${port}/ok`, "127.0.0.2 is not allowed (loopback)"],
      ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is not allowed (link-local)"],
      ["http://10.0.0.7/", "10.0.0.7 is not allowed (private)"],
    ] as const) {
      const res = await server.call("POST", "/v1/agents/fetcher/runs", { input: { url } }, invokeKey);
      expect(res.body.status, url).toBe("failed");
      expect(res.body.error.message).toContain(reason);
      expect(JSON.stringify(res.body.error)).toContain("task.URL_NOT_ALLOWED");
    }
    const allowed = await server.call(
      "POST",
      "/v1/agents/fetcher/runs",
      { input: { url: `${upstream.url}/ok` } },
      invokeKey,
    );
    expect(allowed.body.status).toBe("succeeded");
  });
});
