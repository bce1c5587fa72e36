import { describe, expect, it } from "vitest";
import { z } from "zod";
import { configSchema } from "./config-schema.js";

const issuePaths = (input: unknown) =>
  configSchema.safeParse(input).error?.issues.map((issue) => issue.path) ?? [];

describe("configSchema", () => {
  it("fills in defaults from the model name alone", () => {
    expect(configSchema.parse({ model: "gpt-4o-mini" })).toEqual({
      model: "gpt-4o-mini",
      baseUrl: "https://api.openai.com/v1",
      apiKey: { env: "OPENAI_API_KEY" },
      memory: { strategy: "messages", maxMessages: 50, trim: "oldest" },
      requestTimeoutMs: 60_000,
      maxRetries: 1,
      callerParams: { allow: [], otherwise: "ignore" },
      tools: [],
      maxToolRounds: 8,
      toolTimeoutMs: 30_000,
      maxToolResultChars: 20_000,
    });
  });

  it("takes agent tools with unique names", () => {
    const tool = { type: "agent", name: "research", description: "Finds facts", agent: "researcher" };
    expect(configSchema.parse({ model: "m", tools: [tool] }).tools).toEqual([tool]);
    const duplicate = configSchema.safeParse({ model: "m", tools: [tool, tool] });
    expect(duplicate.error?.issues[0]).toMatchObject({
      path: ["tools"],
      message: "tool names must be unique",
    });
    expect(configSchema.safeParse({ model: "m", tools: [{ ...tool, name: "no spaces" }] }).success).toBe(
      false,
    );
    expect(configSchema.safeParse({ model: "m", tools: [{ ...tool, type: "shell" }] }).success).toBe(false);
  });

  it("takes an http tool's request template and refuses a bad one at its field", () => {
    const tool = {
      type: "http",
      name: "weather",
      description: "Weather",
      method: "GET",
      url: "https://weather.example/cities/{{args.city}}?units={{args.units}}",
      headers: { "x-city": "{{args.city}}", authorization: { secret: "weather" } },
    };
    expect(configSchema.parse({ model: "m", tools: [tool] }).tools[0]).toMatchObject(tool);
    expect(
      issuePaths({
        model: "m",
        tools: [
          {
            ...tool,
            url: "https://{{args.host}}/x",
            headers: { "x-a": "{{env.HOME}}", "x-b": "a\r\nb" },
            body: { q: ["{{args.q | upper}}"] },
          },
        ],
      }),
    ).toEqual([
      ["tools", 0, "url"],
      ["tools", 0, "headers", "x-b"],
      ["tools", 0, "headers", "x-a"],
      ["tools", 0, "body", "q", 0],
    ]);
  });

  it("publishes the http tool's request template fields in its JSON Schema", () => {
    const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as unknown as {
      properties: { tools: { items: { oneOf: { properties: Record<string, { const?: string }> }[] } } };
    };
    const http = schema.properties.tools.items.oneOf.find((tool) => tool.properties.type?.const === "http");
    expect(Object.keys(http!.properties)).toEqual(
      expect.arrayContaining(["method", "url", "headers", "body", "parameters"]),
    );
  });

  it("keeps the optional sampling settings and a secret reference", () => {
    const config = configSchema.parse({
      model: "llama3.1",
      baseUrl: "http://127.0.0.1:11434/v1",
      apiKey: { secret: "ollama" },
      systemPrompt: "You are helpful.",
      temperature: 0,
      topP: 1,
      maxTokens: 256,
      memory: { strategy: "tokens", maxTokens: 4000 },
    });
    expect(config).toMatchObject({
      apiKey: { secret: "ollama" },
      temperature: 0,
      topP: 1,
      maxTokens: 256,
      memory: { strategy: "tokens", maxTokens: 4000, maxMessages: 50, trim: "oldest" },
    });
  });

  it.each([
    [{}, ["model"]],
    [{ model: "m", temperature: 2.5 }, ["temperature"]],
    [{ model: "m", topP: -0.1 }, ["topP"]],
    [{ model: "m", maxTokens: 0 }, ["maxTokens"]],
    [{ model: "m", baseUrl: "ftp://example.test/v1" }, ["baseUrl"]],
    [{ model: "m", baseUrl: "not a url" }, ["baseUrl"]],
    [{ model: "m", apiKey: { env: "NOT-A-NAME" } }, ["apiKey", "env"]],
    [{ model: "m", memory: { maxMessages: 0 } }, ["memory", "maxMessages"]],
    [{ model: "m", memory: { trim: "newest" } }, ["memory", "trim"]],
    [{ model: "m", memory: { strategy: "tokens" } }, ["memory", "maxTokens"]],
    [{ model: "m", requestTimeoutMs: 0 }, ["requestTimeoutMs"]],
    [{ model: "m", maxRetries: 11 }, ["maxRetries"]],
  ])("rejects %j at %j", (input, path) => {
    expect(issuePaths(input)).toContainEqual(path);
  });

  it("refuses a literal key, so only references are ever stored", () => {
    expect(configSchema.safeParse({ model: "m", apiKey: "sk-literal" }).success).toBe(false);
    expect(configSchema.safeParse({ model: "m", apiKey: { env: "K", value: "sk-literal" } }).success).toBe(
      false,
    );
  });
});
