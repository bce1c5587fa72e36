// A chat template that is not `conversation` (fixtures/templates/chat: "parrot", no LangChain) gets
// the same treatment through the OpenAI API and the threads API: the server names no template.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentOk } from "./conversation-host.js";
import { ADMIN_KEY, startTestServer, type TestServer } from "./helpers.js";

let server: TestServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startTestServer();
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: ADMIN_KEY, maxRetries: 0 });
  await createAgentOk(server, { name: "parrot", template: "parrot", config: { prefix: "squawk:" } });
});
afterAll(() => server.stop());

const user = (content: string) => ({ role: "user" as const, content });
const onThread = (threadId: string) => ({ headers: { "X-Agentrt-Thread-Id": threadId } });

describe("a second chat template", () => {
  it("answers stateless completions, streamed and not, through the official SDK", async () => {
    const completion = await client.chat.completions.create({
      model: "parrot",
      messages: [
        { role: "developer", content: "be a parrot" },
        user("hello"),
        { role: "assistant", content: "x" },
        user("crackers?"),
      ],
    });
    expect(completion.choices[0]!.message.content).toBe("squawk: crackers?");

    const stream = await client.chat.completions.create({
      model: "parrot",
      messages: [user("hi")],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("squawk: hi");
  });

  it("refuses what its chat capability refuses, in OpenAI's error shape with the field path", async () => {
    const error = await client.chat.completions
      .create({ model: "parrot", messages: [user("a"), { role: "assistant", content: "b" }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "messages.1.role", code: "validation_failed" });
  });

  it("keeps a thread: the template receives only the new turn and its transcript is served", async () => {
    const thread = (await server.call("POST", "/v1/threads", { agent: "parrot" })).body.id as string;
    const first = await client.chat.completions.create(
      { model: "parrot", messages: [user("polly wants")] },
      onThread(thread),
    );
    expect(first.choices[0]!.message.content).toBe("squawk: polly wants");
    // The whole history is sent, as OpenAI clients do; the thread already holds the earlier turn.
    const history = [
      user("polly wants"),
      { role: "assistant" as const, content: "squawk: polly wants" },
      user("a cracker"),
    ];
    await client.chat.completions.create({ model: "parrot", messages: history }, onThread(thread));

    const { status, body } = await server.call("GET", `/v1/threads/${thread}/messages`);
    expect(status).toBe(200);
    expect(
      body.data.map(({ role, content }: { role: string; content: string }) => ({ role, content })),
    ).toEqual([
      { role: "user", content: "polly wants" },
      { role: "assistant", content: "squawk: polly wants" },
      { role: "user", content: "a cracker" },
      { role: "assistant", content: "squawk: a cracker" },
    ]);
    expect(body.data[0].id).toBe(`${thread}-0`);

    expect((await server.call("DELETE", `/v1/threads/${thread}`)).status).toBe(204);
    expect((await server.call("GET", `/v1/threads/${thread}/messages`)).status).toBe(404);
  });

  it("reads the transcript of an unbound thread through the template of the agent that ran on it", async () => {
    const thread = (await server.call("POST", "/v1/threads", {})).body.id as string;
    expect((await server.call("GET", `/v1/threads/${thread}/messages`)).body.data).toEqual([]);
    await client.chat.completions.create({ model: "parrot", messages: [user("hello")] }, onThread(thread));
    const { body } = await server.call("GET", `/v1/threads/${thread}/messages`);
    expect(body.data.map((m: { content: string }) => m.content)).toEqual(["hello", "squawk: hello"]);
  });

  it("runs through the REST API on a thread with the same input the chat capability makes", async () => {
    const thread = (await server.call("POST", "/v1/threads", { agent: "parrot" })).body.id as string;
    const run = await server.call("POST", "/v1/agents/parrot/runs", {
      input: { messages: [user("rest")] },
      threadId: thread,
    });
    expect(run.body).toMatchObject({ status: "succeeded", output: { reply: "squawk: rest" } });
    const { body } = await server.call("GET", `/v1/threads/${thread}/messages`);
    expect(body.data).toHaveLength(2);
  });
});
