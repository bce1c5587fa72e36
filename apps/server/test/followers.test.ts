import { createRequire } from "node:module";
import { connect } from "node:net";
import { dirname } from "node:path";
import type { Logger } from "@agentrt/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, createTestHost, serverDir, startTestServer, type TestServer } from "./helpers.js";
import { readSse } from "./sse.js";

const taskDir = dirname(
  createRequire(`${serverDir}/package.json`).resolve("@agentrt/template-task/package.json"),
);
const warnings: string[] = [];
const record = () => {};
const logger: Logger = {
  debug: record,
  info: record,
  warn: (message) => warnings.push(message),
  error: record,
};

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(
    {
      AGENTRT_HOST_DIR: createTestHost({ "@agentrt/template-task": taskDir }),
      AGENTRT_SSE_HEARTBEAT_MS: "100",
      // Generous: the clients here share a process (and a busy machine) with the server.
      AGENTRT_SSE_STALL_MS: "3000",
    },
    logger,
  );
  const agents = [
    { name: "echo", template: "echo" },
    {
      name: "ticker",
      template: "task",
      config: {
        steps: [
          { id: "settle", kind: "wait", seconds: 0.3 },
          ...Array.from({ length: 8 }, (_, i) => ({ id: `t${i}`, kind: "wait", seconds: 0.01 })),
        ],
      },
    },
  ];
  for (const agent of agents) {
    const res = await server.call("POST", "/v1/agents", agent);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
});
afterAll(() => server.stop());

async function start(agent: string, input: unknown = null): Promise<string> {
  const res = await server.call("POST", `/v1/agents/${agent}/runs`, { input, mode: "background" });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id;
}

const ids = (events: { id: string | undefined }[]) => events.map((e) => Number(e.id));
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("followers of running runs", () => {
  it("gives 200 followers of one run every event, in order, with contiguous ids", async () => {
    const runId = await start("ticker");
    const followers = await Promise.all(
      Array.from({ length: 200 }, async () => readSse(await server.api(`/v1/runs/${runId}/events`))),
    );
    const stored = followers[0]!;
    expect(stored.at(-1)).toMatchObject({ event: "run.finished", data: { status: "succeeded" } });
    expect(ids(stored)).toEqual(oneTo(stored.length));
    for (const events of followers) expect(events).toEqual(stored);
  });

  it("resumes a follower that dropped mid-run from its Last-Event-ID", async () => {
    const runId = await start("ticker");
    const first = await readSse(await server.api(`/v1/runs/${runId}/events`), (e) => e.id === "5");
    const rest = await readSse(
      await server.api(`/v1/runs/${runId}/events`, { headers: { "last-event-id": "5" } }),
    );
    expect(ids([...first, ...rest])).toEqual(oneTo(first.length + rest.length));
    expect(rest.at(-1)?.event).toBe("run.finished");
  });

  it("sends keep-alive comments on an idle stream", async () => {
    const runId = await start("echo", { sleepMs: 60_000 });
    const res = await server.api(`/v1/runs/${runId}/events`);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes(": keep-alive\n\n")) text += (await reader.read()).value ?? "";
    await reader.cancel();
    expect((await server.call("POST", `/v1/runs/${runId}/cancel`)).body.status).toBe("cancelled");
  });

  // The run streams output until the slow client is cut off, so however much the kernel's socket
  // buffers take (TCP autotuning grows them to megabytes), they fill and the server's buffer then
  // stays full: the stall rule fires whatever the host's buffer sizes.
  it("disconnects a client that reads nothing once its buffer stays full for AGENTRT_SSE_STALL_MS; others get everything; it resumes", async () => {
    const runId = await start("echo", { flood: 32 * 1024 });
    const { port } = new URL(server.url);
    // A raw socket that sends its request and never reads the answer.
    const slow = connect(Number(port), "127.0.0.1");
    slow.on("error", () => {});
    slow.write(
      `GET /v1/runs/${runId}/events HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${ADMIN_KEY}\r\n\r\n`,
    );
    slow.pause();
    const reading = server.api(`/v1/runs/${runId}/events`).then((res) => readSse(res));
    while (!warnings.some((w) => w.startsWith("closed a run's event stream")))
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await server.call("POST", `/v1/runs/${runId}/cancel`)).body.status).toBe("cancelled");
    const reader = await reading;
    expect(ids(reader)).toEqual(oneTo(reader.length));
    expect(reader.at(-1)).toMatchObject({ event: "run.finished", data: { status: "cancelled" } });
    // What reached the slow client before it was cut off, then a resume from its last whole event.
    let received = "";
    slow.setEncoding("utf8");
    slow.on("data", (chunk: string) => {
      received += chunk;
    });
    slow.resume();
    await new Promise((resolve) => slow.once("close", resolve));
    const whole = [...received.matchAll(/id: (\d+)\nevent: ([^\n]+)\ndata: [^\n]*\n\n/g)];
    expect(whole.map((m) => m[2])).not.toContain("run.finished");
    const last = whole.length > 0 ? Number(whole.at(-1)![1]) : 0;
    expect(whole.map((m) => Number(m[1]))).toEqual(oneTo(last));
    const rest = await readSse(
      await server.api(`/v1/runs/${runId}/events`, { headers: { "last-event-id": String(last) } }),
    );
    expect(ids(rest)).toEqual(oneTo(reader.length).slice(last));
  }, 120_000);
});
