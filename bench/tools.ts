// One server-side tool round over the bare model call: the same conversation agent with and without
// an agent tool (the tool is an echo agent run through the host), same fake model, same run. The
// tool row's model answers the first call with a tool call and the second with text, so its
// difference to the plain row is one tool round: a second model call, the tool's own run and the
// tool.call/tool.result events.
import { createFakeModelServer } from "@agentrt/testing";
import { BENCH_KEY, firstPartyLinks, startBenchServer } from "./host.ts";
import { ms, sample, table } from "./lib.ts";

const N = Number(process.env.BENCH_N ?? 500);

export default async function bench(): Promise<void> {
  const fake = await createFakeModelServer({
    reply: (request) => {
      if (request.messages.at(-1)?.role === "tool") return "done";
      return Array.isArray(request.tools)
        ? { toolCalls: [{ name: "lookup", arguments: { input: "x" } }] }
        : "hello";
    },
  });
  process.env.BENCH_FAKE_KEY = "sk-bench";
  const agentrt = await startBenchServer({ links: firstPartyLinks() });
  try {
    const headers = { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` };
    const model = {
      model: "fake-model",
      baseUrl: fake.url,
      apiKey: { env: "BENCH_FAKE_KEY" },
      maxRetries: 0,
    };
    for (const agent of [
      { name: "bench-lookup", template: "echo" },
      { name: "bench-plain", template: "conversation", config: model },
      {
        name: "bench-tool",
        template: "conversation",
        config: {
          ...model,
          tools: [
            { type: "agent", name: "lookup", description: "Looks something up", agent: "bench-lookup" },
          ],
        },
      },
    ]) {
      const created = await fetch(`${agentrt.url}/v1/agents`, {
        method: "POST",
        headers,
        body: JSON.stringify(agent),
      });
      if (created.status !== 201) throw new Error(`bench agent: ${created.status} ${await created.text()}`);
    }
    const call = (agent: string) => async () => {
      const res = await fetch(`${agentrt.url}/v1/chat/completions`, {
        method: "POST",
        headers,
        body: JSON.stringify({ model: agent, messages: [{ role: "user", content: "look it up" }] }),
      });
      const body = (await res.json()) as { choices?: { message: { content: string } }[] };
      if (res.status !== 200) throw new Error(`${agent}: ${res.status} ${JSON.stringify(body)}`);
    };
    const direct = async () => {
      const res = await fetch(`${fake.url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "fake-model", messages: [{ role: "user", content: "look it up" }] }),
      });
      await res.text();
    };
    const warmup = Math.min(100, N);
    const bare = await sample(N, direct, warmup);
    const plain = await sample(N, call("bench-plain"), warmup);
    const tool = await sample(N, call("bench-tool"), warmup);
    table(
      `One server-side tool round (agent tool) over the bare model call, non-stream, 1 connection, n=${N}`,
      ["target", "p50", "p99", "added p50 vs plain agent", "added p99 vs plain agent"],
      [
        ["fake model, direct", ms(bare.p50), ms(bare.p99), "-", "-"],
        ["conversation agent, no tools", ms(plain.p50), ms(plain.p99), "-", "-"],
        [
          "conversation agent, one agent-tool round",
          ms(tool.p50),
          ms(tool.p99),
          ms(tool.p50 - plain.p50),
          ms(tool.p99 - plain.p99),
        ],
      ],
    );
  } finally {
    await agentrt.close();
    await fake.close();
  }
}
