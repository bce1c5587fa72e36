import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type ChatHarness,
  conversationConfig,
  createAgentOk,
  startChatHarness,
} from "./conversation-host.js";
import { ADMIN_KEY } from "./helpers.js";
import { readSse } from "./sse.js";

let harness: ChatHarness;

beforeAll(async () => {
  harness = await startChatHarness();
  const { server, fake } = harness;
  await createAgentOk(server, { name: "researcher", template: "echo", config: { greeting: "found:" } });
  await createAgentOk(server, {
    name: "assistant",
    template: "conversation",
    config: conversationConfig(fake, {
      tools: [{ type: "agent", name: "research", description: "Finds facts", agent: "researcher" }],
      maxToolRounds: 2,
    }),
  });
});
beforeEach(() => harness.fake.reset());
afterAll(() => harness.close());

const callResearch = () =>
  harness.fake.enqueueReply({ toolCalls: [{ id: "c1", name: "research", arguments: { input: "moon" } }] });

describe("a conversation agent with an agent tool, on a real server", () => {
  it("calls the other agent through the host; tool.call and tool.result are in the SSE stream and the journal", async () => {
    callResearch();
    harness.fake.enqueueReply("The researcher found the moon.");
    const res = await harness.server.api("/v1/agents/assistant/runs", {
      method: "POST",
      body: JSON.stringify({ input: "Where is the moon?", mode: "stream" }),
    });
    const streamed = await readSse(res);
    const tools = streamed.filter((event) => event.event.startsWith("tool."));
    expect(tools.map((event) => event.data)).toEqual([
      { type: "tool.call", callId: "c1", name: "research", arguments: '{"input":"moon"}' },
      { type: "tool.result", callId: "c1", name: "research", ok: true, result: "found: moon" },
    ]);
    expect(streamed.at(-1)?.data).toMatchObject({
      status: "succeeded",
      output: { role: "assistant", content: "The researcher found the moon." },
    });
    const runId = res.headers.get("x-run-id")!;
    const journal = await readSse(await harness.server.api(`/v1/runs/${runId}/events`));
    expect(journal.filter((event) => event.event.startsWith("tool.")).map((event) => event.data)).toEqual(
      tools.map((event) => event.data),
    );
    // The tool's run is a run of the researcher agent.
    const researcherRuns = await harness.server.call("GET", "/v1/runs?agent=researcher");
    expect(researcherRuns.body.data[0]).toMatchObject({ status: "succeeded", output: "found: moon" });
  });

  it("answers over /v1/chat/completions after running the tool; a model calling tools forever fails coded", async () => {
    const client = new OpenAI({ baseURL: `${harness.server.url}/v1`, apiKey: ADMIN_KEY, maxRetries: 0 });
    callResearch();
    harness.fake.enqueueReply("Found it.");
    const completion = await client.chat.completions.create({
      model: "assistant",
      messages: [{ role: "user", content: "Where is the moon?" }],
    });
    expect(completion.choices[0]).toMatchObject({ message: { content: "Found it." }, finish_reason: "stop" });

    for (let i = 0; i < 3; i++) callResearch();
    const failure = await client.chat.completions
      .create({ model: "assistant", messages: [{ role: "user", content: "loop" }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(failure).toMatchObject({ status: 502, code: "conversation.tool_rounds_exceeded" });
  });
});
