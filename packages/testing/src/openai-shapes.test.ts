import { describe, expect, it } from "vitest";
import {
  countTokens,
  createErrorBody,
  createStreamFrames,
  lastUserMessage,
  messageText,
  promptTokens,
  splitTokens,
} from "./openai-shapes.js";

describe("splitTokens", () => {
  it("keeps leading whitespace with the next word and loses nothing", () => {
    expect(splitTokens("Hello  big\nworld ")).toEqual(["Hello", "  big", "\nworld", " "]);
    expect(splitTokens("")).toEqual([]);
    const text = " a\tb  c ";
    expect(splitTokens(text).join("")).toBe(text);
  });
});

describe("messages", () => {
  it("reads string content, text parts, and nothing else", () => {
    expect(messageText({ role: "user", content: "hi" })).toBe("hi");
    expect(
      messageText({ role: "user", content: [{ type: "image_url" }, { type: "text", text: "caption" }] }),
    ).toBe("caption");
    expect(messageText({ role: "assistant", content: null })).toBe("");
    expect(messageText(undefined)).toBe("");
  });

  it("finds the last user message and counts prompt tokens over all messages", () => {
    const messages = [
      { role: "user", content: "one two" },
      { role: "assistant", content: "three" },
      { role: "user", content: "four" },
      { role: "tool", content: "five six" },
    ];
    expect(lastUserMessage(messages)?.content).toBe("four");
    expect(lastUserMessage([{ role: "system", content: "x" }])).toBeUndefined();
    expect(promptTokens(messages)).toBe(6);
    expect(countTokens("a b c")).toBe(3);
  });
});

describe("createStreamFrames", () => {
  const parts = {
    id: "chatcmpl-1",
    created: 1,
    model: "m",
    content: 'say "hi"',
    usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
  };

  it("frames each token as valid JSON with escaped content", () => {
    const frames = createStreamFrames(parts, false);
    expect(frames.at(-1)).toBe("data: [DONE]\n\n");
    const chunks = frames.slice(0, -1).map((frame) => JSON.parse(frame.slice(6)));
    expect(chunks.map((c) => c.choices[0].delta.content)).toEqual(["", "say", ' "hi"', undefined]);
    expect(chunks.at(-1).choices[0].finish_reason).toBe("stop");
  });

  it("adds usage: null to every chunk and a final usage chunk when asked", () => {
    const chunks = createStreamFrames(parts, true)
      .slice(0, -1)
      .map((frame) => JSON.parse(frame.slice(6)));
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-1)).toEqual({
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      system_fingerprint: null,
      choices: [],
      usage: parts.usage,
    });
  });
});

describe("createErrorBody", () => {
  it("types errors by status like OpenAI", () => {
    expect(createErrorBody(401, "bad key").error).toEqual({
      message: "bad key",
      type: "invalid_request_error",
      param: null,
      code: "invalid_api_key",
    });
    expect(createErrorBody(502, "x").error.type).toBe("server_error");
    expect(createErrorBody(418, "x").error).toMatchObject({ type: "invalid_request_error", code: null });
    expect(createErrorBody(404, "x", null).error.code).toBeNull();
  });
});
