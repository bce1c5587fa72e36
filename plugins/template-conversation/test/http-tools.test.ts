import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TemplateEvent } from "@agentrt/core";
import {
  collectEvents,
  createFakeModelServer,
  createTestRunContext,
  type FakeModelServer,
} from "@agentrt/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAgent, createContext, outputOf } from "./helpers.js";

let model: FakeModelServer;
let api: Server;
let apiPort: number;
const received: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  model = await createFakeModelServer();
  api = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk));
    req.on("end", () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url?.startsWith("/huge")) {
        res.writeHead(200, { "content-type": "text/plain" });
        return void res.end("z".repeat(10 * 1024 * 1024));
      }
      if (req.url?.startsWith("/missing")) return void res.writeHead(404).end("no such city");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ temperature: 21 }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiPort = (api.address() as AddressInfo).port;
});
beforeEach(() => {
  model.reset();
  received.length = 0;
});
afterAll(async () => {
  await model.close();
  api.closeAllConnections();
  await new Promise((resolve) => api.close(resolve));
});

const weather = (extra: Record<string, unknown> = {}) => ({
  type: "http",
  name: "weather",
  description: "Weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } } },
  url: `http://127.0.0.1:${apiPort}/weather`,
  headers: { authorization: { env: "WEATHER_TOKEN" }, "x-client": "agentrt" },
  ...extra,
});
const context = (allowInternal: string[] = ["127.0.0.1"]) =>
  createContext({
    env: { OPENAI_API_KEY: "sk", WEATHER_TOKEN: "Bearer w-secret" },
    settings: { allowInternal },
  });
const config = (tool: Record<string, unknown> = weather()) => ({
  model: "fake-model",
  baseUrl: model.url,
  maxRetries: 0,
  tools: [tool],
});
const results = (events: TemplateEvent[]) => events.filter((event) => event.type === "tool.result");
const callWeather = () =>
  model.enqueueReply(
    { toolCalls: [{ id: "c1", name: "weather", arguments: { city: "Oslo" } }] },
    "21 degrees.",
  );

describe("http tools", () => {
  it("POSTs the model's arguments as JSON with the configured headers and gives it the answer", async () => {
    const agent = await createAgent(config(), context());
    callWeather();
    const events = await collectEvents(agent.run("Weather in Oslo?", createTestRunContext()));
    expect(received).toEqual([
      expect.objectContaining({ method: "POST", url: "/weather", body: '{"city":"Oslo"}' }),
    ]);
    expect(received[0]!.headers).toMatchObject({
      authorization: "Bearer w-secret",
      "x-client": "agentrt",
      "content-type": "application/json",
    });
    expect(results(events)).toEqual([
      { type: "tool.result", callId: "c1", name: "weather", ok: true, result: '{"temperature":21}' },
    ]);
    expect(outputOf(events)).toEqual({ role: "assistant", content: "21 degrees." });
  });

  it("GETs with the arguments as query parameters", async () => {
    const agent = await createAgent(config(weather({ method: "GET" })), context());
    callWeather();
    await collectEvents(agent.run("x", createTestRunContext()));
    expect(received[0]).toMatchObject({ method: "GET", url: "/weather?city=Oslo", body: "" });
  });

  it("refuses an http tool at 127.0.0.1 without the operator's allow-list, at create", async () => {
    await expect(createAgent(config(), context([]))).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      issues: [expect.objectContaining({ path: ["tools", 0, "url"] })],
    });
  });

  it("refuses a name resolving to loopback at call time: the model gets the refusal, nothing is sent", async () => {
    const agent = await createAgent(
      config(weather({ url: `http://localhost:${apiPort}/weather` })),
      context([]),
    );
    callWeather();
    const events = await collectEvents(agent.run("x", createTestRunContext()));
    expect(results(events)).toEqual([
      expect.objectContaining({ ok: false, result: expect.stringContaining("refused by the egress policy") }),
    ]);
    expect(received).toEqual([]);
  });

  it("gives the model a non-2xx answer and a 10 MB answer as error results", async () => {
    for (const [path, message] of [
      ["/missing", "answered 404: no such city"],
      ["/huge", "response body exceeds"],
    ] as const) {
      const agent = await createAgent(
        config(weather({ url: `http://127.0.0.1:${apiPort}${path}` })),
        context(),
      );
      model.reset();
      callWeather();
      const events = await collectEvents(agent.run("x", createTestRunContext()));
      expect(results(events)).toEqual([
        expect.objectContaining({ ok: false, result: expect.stringContaining(message) }),
      ]);
    }
  });

  describe("request templates", () => {
    const templated = (extra: Record<string, unknown> = {}) =>
      weather({
        url: `http://127.0.0.1:${apiPort}/cities/{{args.city}}/weather?units={{args.units}}`,
        headers: { authorization: { env: "WEATHER_TOKEN" }, "x-city": "city {{args.city}}" },
        ...extra,
      });
    const call = (args: Record<string, unknown>) =>
      model.enqueueReply({ toolCalls: [{ id: "c1", name: "weather", arguments: args }] }, "Done.");

    it("puts arguments into the path, query, headers and JSON body", async () => {
      const agent = await createAgent(
        config(templated({ body: { place: "{{args.city}}", days: "{{args.days}}", all: "{{args}}" } })),
        context(),
      );
      call({ city: "São Paulo", units: "metric", days: [1, 2] });
      const events = await collectEvents(agent.run("x", createTestRunContext()));
      expect(results(events)).toEqual([expect.objectContaining({ ok: true, result: '{"temperature":21}' })]);
      expect(received).toEqual([
        expect.objectContaining({ method: "POST", url: "/cities/S%C3%A3o%20Paulo/weather?units=metric" }),
      ]);
      expect(received[0]!.headers).toMatchObject({
        authorization: "Bearer w-secret",
        "x-city": "city São Paulo",
        "content-type": "application/json",
      });
      expect(JSON.parse(received[0]!.body)).toEqual({
        place: "São Paulo",
        days: [1, 2],
        all: { city: "São Paulo", units: "metric", days: [1, 2] },
      });
    });

    it.each([
      ["../../admin", "/cities/..%2F..%2Fadmin/weather?units=%40evil.com"],
      ["@evil.com", "/cities/%40evil.com/weather?units=%40evil.com"],
      ["http://127.0.0.1:1/x", "/cities/http%3A%2F%2F127.0.0.1%3A1%2Fx/weather?units=%40evil.com"],
    ])("keeps a hostile argument %j on the configured origin, encoded", async (city, url) => {
      const agent = await createAgent(config(templated({ method: "GET" })), context());
      call({ city, units: "@evil.com" });
      const events = await collectEvents(agent.run("x", createTestRunContext()));
      expect(results(events)).toEqual([expect.objectContaining({ ok: true })]);
      expect(received).toEqual([expect.objectContaining({ url })]);
    });

    it.each([
      [{ city: "Oslo\r\nx-admin: yes", units: "metric" }, "header x-city: the value holds a line break"],
      [{ city: "..", units: "metric" }, 'would be the path segment ".."'],
      [{ units: "metric" }, "{{args.city}} has no value"],
    ])("gives the model an error and sends nothing for arguments %j", async (args, message) => {
      const agent = await createAgent(config(templated({ method: "GET" })), context());
      call(args);
      const events = await collectEvents(agent.run("x", createTestRunContext()));
      expect(results(events)).toEqual([
        expect.objectContaining({ ok: false, result: expect.stringContaining(message) }),
      ]);
      expect(received).toEqual([]);
    });

    it("refuses a bad template when the agent is created, at its field", async () => {
      for (const [tool, path] of [
        [templated({ url: "http://{{args.host}}/x" }), ["tools", 0, "url"]],
        [templated({ headers: { "x-a": "{{input.secret}}" } }), ["tools", 0, "headers", "x-a"]],
        [templated({ body: { q: "{{args.q | upper}}" } }), ["tools", 0, "body", "q"]],
        [templated({ url: "http://127.0.0.1:1/{{args.city}}" }), ["tools", 0, "url"]],
      ] as const) {
        await expect(createAgent(config(tool), context([]))).rejects.toMatchObject({
          code: "CONFIG_INVALID",
          issues: [expect.objectContaining({ path })],
        });
      }
    });
  });
});
