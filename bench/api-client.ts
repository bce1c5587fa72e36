// The client of bench/api.ts, run in a worker thread: its own isolate and GC, so its garbage (undici's
// fetch allocates ~90 KB per request and keeps responses alive until a full GC) is not collected in
// the server's scavenges and not charged to the server's requests, as with a client in another
// process. Per operation: WARMUP untimed calls, then `begin` and `end` around N timed ones (the main
// thread answers each once it has started or stopped measuring the server's heap), each stamped with
// the WAL header after it. BENCH_CLIENT=http sends with node:http instead of fetch.
import { Agent, request } from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import { type Timed, walStamp } from "./lib-tail.ts";

export type Op = "create" | "get" | "patch" | "submit";

export interface ClientData {
  url: string;
  label: string;
  walFile: string | undefined;
  key: string;
  n: number;
  warmup: number;
  /** The main thread's `performance.timeOrigin`: requests are timed on its clock. */
  timeOrigin: number;
}

/** What the client posts: a step to acknowledge, or at the end its requests. */
export type ClientMessage =
  | { type: "begin" | "end"; op: Op }
  | { type: "done"; requests: Record<Op, Timed[]> };

/** A task agent as people write them: fetch something, then shape the answer. */
const taskConfig = (i: number) => ({
  steps: [
    {
      id: "fetch",
      kind: "http",
      method: "GET",
      url: "https://api.example.com/items/{{input.id}}",
      headers: { accept: "application/json", "x-request": `bench-${i}` },
    },
    {
      id: "shape",
      kind: "transform",
      dependsOn: ["fetch"],
      map: { title: "steps.fetch.output.title", price: "steps.fetch.output.price" },
    },
  ],
  stepTimeout: 30,
  retryCount: 1,
  outputFormat: "structured",
});

/** Runs locally (no network), so submissions measure the write path and not an upstream. */
const localConfig = {
  steps: [
    { id: "a", kind: "transform", template: "hello {{input.n}}" },
    { id: "b", kind: "transform", dependsOn: ["a"], template: "{{steps.a.output}} again" },
  ],
  outputFormat: "last",
};

const { url, label, walFile, key, n, warmup, timeOrigin } = workerData as ClientData;
// Both threads' clocks count from their start: this one's plus `shift` is the main thread's, so
// requests compare with the server's GC pauses.
const shift = performance.timeOrigin - timeOrigin;
const now = () => performance.now() + shift;
const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
const port = parentPort!;
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

/** One request with node:http over a kept-alive connection: status and body text. */
function httpSend(path: string, method: string, body: string | undefined): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers, agent: keepAlive }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => resolve([res.statusCode ?? 0, text]));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function fetchSend(path: string, method: string, body: string | undefined): Promise<[number, string]> {
  const res = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  return [res.status, await res.text()];
}

const send = process.env.BENCH_CLIENT === "http" ? httpSend : fetchSend;

async function call(path: string, method: string, body?: unknown, expected = 200): Promise<{ id: string }> {
  const [status, text] = await send(path, method, body === undefined ? undefined : JSON.stringify(body));
  if (status !== expected) throw new Error(`${method} ${path}: ${status} ${text}`);
  return JSON.parse(text) as { id: string };
}

/** Posts a step and waits for the main thread's answer. */
function step(message: ClientMessage): Promise<unknown> {
  const answered = new Promise((resolve) => port.once("message", resolve));
  port.postMessage(message);
  return answered;
}

async function timed(op: Op, fn: (i: number) => Promise<unknown>): Promise<Timed[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const out: Timed[] = [];
  await step({ type: "begin", op });
  for (let i = 0; i < n; i++) {
    const start = now();
    await fn(i);
    const end = now();
    out.push({ start, end, wal: walFile ? walStamp(walFile) : "" });
  }
  await step({ type: "end", op });
  return out;
}

let lastId = "";
const create = await timed("create", async (i) => {
  const body = { name: `${label}-${i}-c`, template: "task", config: taskConfig(i) };
  lastId = (await call("/v1/agents", "POST", body, 201)).id;
});
const get = await timed("get", () => call(`/v1/agents/${lastId}`, "GET"));
const patch = await timed("patch", (i) => call(`/v1/agents/${lastId}`, "PATCH", { config: taskConfig(i) }));
await call("/v1/agents", "POST", { name: `${label}-local`, template: "task", config: localConfig }, 201);
const submit = await timed("submit", (i) =>
  call(`/v1/agents/${label}-local/runs`, "POST", { input: { n: i }, mode: "background" }, 202),
);
port.postMessage({ type: "done", requests: { create, get, patch, submit } } satisfies ClientMessage);
