import { createFakeModelServer } from "@agentrt/testing";
// @ts-expect-error no types
import autocannon from "autocannon";
import { BENCH_KEY, firstPartyLinks, startBenchServer } from "./host.ts";
const fake = await createFakeModelServer();
process.env.BENCH_FAKE_KEY = "sk-bench";
const agentrt = await startBenchServer({ links: firstPartyLinks(), env: { AGENTRT_RUN_CONCURRENCY_PER_AGENT: "16" } });
const admin = { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` };
await fetch(`${agentrt.url}/v1/agents`, { method: "POST", headers: admin, body: JSON.stringify({ name: "bench-chat", template: "conversation", config: { model: "fake-model", baseUrl: fake.url, apiKey: { env: "BENCH_FAKE_KEY" }, maxRetries: 0 } }) });
const body = JSON.stringify({ model: "bench-chat", messages: [{ role: "user", content: "Say hello" }], stream: process.env.STREAM === "1" });
const r = await autocannon({ url: `${agentrt.url}/v1/chat/completions`, method: "POST", headers: admin, body, connections: 10, duration: Number(process.env.SECS ?? 8) });
console.log("rps", r.requests.average, "non2xx", r.non2xx);
await agentrt.close(); await fake.close();
process.exit(0);
