import { describe, expect, it } from "vitest";
import { AgentrtError, ErrorCode } from "./errors.js";
import { type ModelCallAttributeValue, setModelCallAttributes } from "./model-call.js";

/** The attributes set, in the order they were set. */
function record(call: Parameters<typeof setModelCallAttributes>[1]) {
  const set: [string, ModelCallAttributeValue][] = [];
  setModelCallAttributes({ setAttribute: (key, value) => set.push([key, value]) }, call);
  return set;
}

describe("setModelCallAttributes", () => {
  it("sets the GenAI attributes of a call that answered, from a URL string", () => {
    expect(
      record({
        model: "gpt-x",
        url: "http://127.0.0.1:4010/v1/chat/completions",
        usage: { promptTokens: 12, completionTokens: 3 },
        finishReason: "stop",
      }),
    ).toEqual([
      ["gen_ai.operation.name", "chat"],
      ["gen_ai.provider.name", "openai"],
      ["gen_ai.request.model", "gpt-x"],
      ["server.address", "127.0.0.1"],
      ["server.port", 4010],
      ["gen_ai.usage.input_tokens", 12],
      ["gen_ai.usage.output_tokens", 3],
      ["gen_ai.response.finish_reasons", ["stop"]],
    ]);
  });

  it("leaves out what the call did not learn: default port, usage, finish reason", () => {
    const set = record({
      model: "m",
      url: new URL("https://api.example.com/v1"),
      provider: "azure.ai.openai",
    });
    expect(Object.fromEntries(set)).toEqual({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "azure.ai.openai",
      "gen_ai.request.model": "m",
      "server.address": "api.example.com",
    });
  });

  it("names a failure by its code, else its name, else Error", () => {
    const errorType = (error: unknown) =>
      Object.fromEntries(record({ model: "m", url: "http://h/", error }))["error.type"];
    expect(errorType(new AgentrtError(ErrorCode.UPSTREAM_ERROR, "model down"))).toBe(
      ErrorCode.UPSTREAM_ERROR,
    );
    expect(errorType(new TypeError("fetch failed"))).toBe("TypeError");
    expect(errorType("a thrown string")).toBe("Error");
    expect(errorType(null)).toBe("Error");
    expect(errorType(undefined)).toBeUndefined();
  });
});
