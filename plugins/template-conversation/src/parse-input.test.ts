import { ErrorCode } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { parseConversationInput } from "./parse-input.js";

describe("parseConversationInput", () => {
  it("turns a plain string into one user message", () => {
    const { messages, stateless } = parseConversationInput("hello");
    expect(messages).toEqual([{ role: "user", content: "hello" }]);
    expect(stateless).toBe(false);
  });

  it("keeps the messages as given and reads the stateless flag", () => {
    const { messages, stateless } = parseConversationInput({
      messages: [
        { role: "system", content: "s" },
        { role: "user", content: "u" },
        { role: "assistant", content: "a" },
      ],
      stateless: true,
    });
    expect(messages.map((m) => m.role)).toEqual(["system", "user", "assistant"]);
    expect(stateless).toBe(true);
  });

  it.each([
    [{ messages: [] }, ["input", "messages"]],
    [{ messages: [{ role: "tool", content: "x" }] }, ["input", "messages", 0, "tool_call_id"]],
    [{ messages: [{ role: "robot", content: "x" }] }, ["input", "messages", 0, "role"]],
    [{ messages: [{ role: "user" }] }, ["input", "messages", 0, "content"]],
  ])("rejects %j with VALIDATION_FAILED at %j", (input, path) => {
    let error: unknown;
    try {
      parseConversationInput(input);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: ErrorCode.VALIDATION_FAILED });
    expect((error as { issues: { path: unknown }[] }).issues.map((i) => i.path)).toContainEqual(path);
  });

  it("rejects other types", () => {
    expect(() => parseConversationInput(42)).toThrow(/input does not match/);
    expect(() => parseConversationInput({ text: "hi" })).toThrow(/input does not match/);
  });
});
