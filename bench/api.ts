// Agent create / get latency over HTTP against a bare Hono handler on the same machine, same client.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { BENCH_KEY, startBenchServer } from "./host.ts";
import { ms, sample, table, verdict } from "./lib.ts";

const N = Number(process.env.BENCH_N ?? 2000);

async function startBaseline(): Promise<{ url: string; close: () => void }> {
  const app = new Hono();
  const agents = new Map<string, unknown>();
  let next = 0;
  app.post("/v1/agents", async (c) => {
    const body = await c.req.json();
    const id = `agt_${next++}`;
    agents.set(id, { id, ...body });
    return c.json(agents.get(id), 201);
  });
  app.get("/v1/agents/:id", (c) => c.json(agents.get(c.req.param("id")) ?? {}, 200));
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => server.close() }),
    );
  });
}

async function measure(url: string, label: string) {
  const headers = { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" };
  let lastId = "";
  const create = await sample(N, async (i) => {
    const res = await fetch(`${url}/v1/agents`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        name: `${label}-${i}-${Math.random().toString(36).slice(2, 8)}`,
        template: "echo",
        config: { greeting: "hi" },
      }),
    });
    if (res.status !== 201) throw new Error(`${label} create: ${res.status} ${await res.text()}`);
    lastId = ((await res.json()) as { id: string }).id;
  });
  const get = await sample(N, async () => {
    const res = await fetch(`${url}/v1/agents/${lastId}`, { headers });
    if (res.status !== 200) throw new Error(`${label} get: ${res.status}`);
    await res.arrayBuffer();
  });
  return { create, get };
}

export default async function bench(): Promise<void> {
  const baseline = await startBaseline();
  const agentrt = await startBenchServer();
  try {
    const base = await measure(baseline.url, "base");
    const ours = await measure(agentrt.url, "agentrt");
    table(
      `Agent API latency over HTTP, 1 connection, n=${N} each (baseline: bare Hono handler, in-memory map)`,
      [
        "operation",
        "baseline p50",
        "baseline p99",
        "agentrt p50",
        "agentrt p99",
        "agentrt - baseline (p50)",
        "target",
      ],
      [
        [
          "POST /v1/agents",
          ms(base.create.p50),
          ms(base.create.p99),
          ms(ours.create.p50),
          ms(ours.create.p99),
          ms(ours.create.p50 - base.create.p50),
          verdict(ours.create.p99, 5),
        ],
        [
          "GET /v1/agents/{id}",
          ms(base.get.p50),
          ms(base.get.p99),
          ms(ours.get.p50),
          ms(ours.get.p99),
          ms(ours.get.p50 - base.get.p50),
          "-",
        ],
      ],
    );
  } finally {
    baseline.close();
    await agentrt.close();
  }
}
