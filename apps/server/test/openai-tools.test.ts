import { ChatOpenAI } from "@langchain/openai";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type ChatHarness,
  conversationConfig,
  createAgentOk,
  startChatHarness,
} from "./conversation-host.js";
import { ADMIN_KEY } from "./helpers.js";

let harness: ChatHarness;
let client: OpenAI;

beforeAll(async () => {
  harness = await startChatHarness();
  client = new OpenAI({ baseURL: `${harness.server.url}/v1`, apiKey: ADMIN_KEY, maxRetries: 0 });
  await createAgentOk(harness.server, {
    name: "chat",
    template: "conversation",
    config: conversationConfig(harness.fake),
  });
});
beforeEach(() => harness.fake.reset());
afterAll(() => harness.close());

const weather: OpenAI.ChatCompletionFunctionTool = {
  type: "function",
  function: {
    name: "weather",
    description: "the weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};
const question = { role: "user" as const, content: "Weather in Oslo and Rome?" };
const call = (id: string, city: string) => ({
  id,
  type: "function" as const,
  function: { name: "weather", arguments: JSON.stringify({ city }) },
});
/** The model's first answer calls the tool twice (parallel calls). */
const callBoth = () =>
  harness.fake.enqueueReply({
    toolCalls: [
      { id: "c1", name: "weather", arguments: { city: "Oslo" } },
      { id: "c2", name: "weather", arguments: { city: "Rome" } },
    ],
  });
const results = [
  { role: "tool" as const, tool_call_id: "c1", content: "sunny" },
  { role: "tool" as const, tool_call_id: "c2", content: "rainy" },
];

describe("caller tools over /v1/chat/completions (stateless)", () => {
  it("hands tool calls back with finish_reason tool_calls, then answers from the tool results", async () => {
    callBoth();
    const first = await client.chat.completions.create({
      model: "chat",
      messages: [question],
      tools: [weather],
      tool_choice: "auto",
      parallel_tool_calls: true,
    });
    expect(first.choices[0]).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: null,
        refusal: null,
        tool_calls: [call("c1", "Oslo"), call("c2", "Rome")],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    });
    expect(harness.fake.requests[0]!.body).toMatchObject({
      tools: [weather],
      tool_choice: "auto",
      parallel_tool_calls: true,
    });

    harness.fake.enqueueReply("Sunny in Oslo, rainy in Rome.");
    const second = await client.chat.completions.create({
      model: "chat",
      messages: [question, first.choices[0]!.message, ...results],
      tools: [weather],
    });
    expect(second.choices[0]).toMatchObject({
      message: { role: "assistant", content: "Sunny in Oslo, rainy in Rome." },
      finish_reason: "stop",
    });
    expect(harness.fake.requests[1]!.body.messages).toEqual([
      question,
      { role: "assistant", content: "", tool_calls: [call("c1", "Oslo"), call("c2", "Rome")] },
      ...results,
    ]);
  });

  it("streams the tool calls as OpenAI's deltas, which the SDK joins", async () => {
    callBoth();
    const stream = client.chat.completions.stream({ model: "chat", messages: [question], tools: [weather] });
    const deltas: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    stream.on("chunk", (chunk) => deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? [])));
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.finish_reason).toBe("tool_calls");
    expect(final.choices[0]!.message.tool_calls).toEqual([call("c1", "Oslo"), call("c2", "Rome")]);
    expect(deltas[0]).toEqual({
      index: 0,
      id: "c1",
      type: "function",
      function: { name: "weather", arguments: "" },
    });
    expect(deltas[1]).toEqual({ index: 0, function: { arguments: '{"city":"Oslo"}' } });

    harness.fake.enqueueReply("Sunny and rainy.");
    const answer = client.chat.completions.stream({
      model: "chat",
      messages: [question, final.choices[0]!.message, ...results],
      tools: [weather],
    });
    expect(await answer.finalContent()).toBe("Sunny and rainy.");
  });

  it("completes the SDK's own tool loop, runTools, non-streamed and streamed", async () => {
    for (const stream of [false, true]) {
      harness.fake.reset();
      callBoth();
      harness.fake.enqueueReply("Oslo: sunny. Rome: rainy.");
      const seen: string[] = [];
      const runner = client.chat.completions.runTools({
        model: "chat",
        messages: [question],
        stream,
        tools: [
          {
            type: "function",
            function: {
              ...weather.function,
              parse: JSON.parse,
              function: ({ city }: { city: string }) => {
                seen.push(city);
                return city === "Oslo" ? "sunny" : "rainy";
              },
            },
          },
        ],
      } as never);
      expect(await runner.finalContent()).toBe("Oslo: sunny. Rome: rainy.");
      expect(seen).toEqual(["Oslo", "Rome"]);
      expect(harness.fake.requests[1]!.body.messages.slice(-2)).toEqual(results);
    }
  });

  it("parses the calls in LangChain's ChatOpenAI.bindTools, invoked and streamed", async () => {
    const model = new ChatOpenAI({
      model: "chat",
      apiKey: ADMIN_KEY,
      configuration: { baseURL: `${harness.server.url}/v1` },
      maxRetries: 0,
    }).bindTools([weather]);
    callBoth();
    const reply = await model.invoke("Weather in Oslo and Rome?");
    expect(reply.tool_calls).toEqual([
      { id: "c1", name: "weather", args: { city: "Oslo" }, type: "tool_call" },
      { id: "c2", name: "weather", args: { city: "Rome" }, type: "tool_call" },
    ]);
    callBoth();
    let streamed: Awaited<ReturnType<typeof model.invoke>> | undefined;
    for await (const chunk of await model.stream("Weather?"))
      streamed = streamed ? streamed.concat(chunk) : chunk;
    expect(streamed?.tool_calls?.map((c) => c.args)).toEqual([{ city: "Oslo" }, { city: "Rome" }]);
  });
});

describe("caller tools on a thread", () => {
  it("keeps the calls in the thread; the next request's trailing tool results continue the run", async () => {
    const thread = (await harness.server.call("POST", "/v1/threads", { agent: "chat" })).body.id as string;
    callBoth();
    const first = await client.chat.completions.create({
      model: "chat",
      messages: [question],
      tools: [weather],
      metadata: { thread_id: thread },
    });
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");

    harness.fake.enqueueReply("Sunny and rainy.");
    // A client replays the whole conversation; on a thread only the trailing tool results are new.
    const second = await client.chat.completions.create({
      model: "chat",
      messages: [question, first.choices[0]!.message, ...results],
      tools: [weather],
      metadata: { thread_id: thread },
    });
    expect(second.choices[0]!.message.content).toBe("Sunny and rainy.");
    expect(harness.fake.requests[1]!.body.messages).toEqual([
      question,
      { role: "assistant", content: "", tool_calls: [call("c1", "Oslo"), call("c2", "Rome")] },
      ...results,
    ]);
    const transcript = await harness.server.call("GET", `/v1/threads/${thread}/messages`);
    expect(transcript.body.data.map((m: { role: string }) => m.role)).toEqual([
      "user",
      "assistant",
      "tool",
      "tool",
      "assistant",
    ]);
  });
});
