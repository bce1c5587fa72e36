import { AIMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "./input-schema.js";
import { toBaseMessage, toChatMessage, toolCallsOf } from "./messages.js";

describe("message conversion", () => {
  it("round-trips every role through LangChain messages", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "rules" },
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
    ];
    const stored = messages.map(toBaseMessage);
    expect(stored.map((m) => m.getType())).toEqual(["system", "human", "ai"]);
    expect(stored.map(toChatMessage)).toEqual(messages);
  });

  it("keeps tool calls exactly as the model wrote them, and tool results with their call id", () => {
    const call = (id: string, args: string) => ({
      id,
      type: "function" as const,
      function: { name: "weather", arguments: args },
    });
    const messages: ChatMessage[] = [
      {
        role: "assistant",
        content: "",
        tool_calls: [call("c1", '{"city": "Oslo"}'), call("c2", "not json")],
      },
      { role: "tool", content: "sunny", tool_call_id: "c1" },
    ];
    const stored = messages.map(toBaseMessage);
    expect(stored.map((m) => m.getType())).toEqual(["ai", "tool"]);
    const ai = stored[0] as AIMessage;
    expect(ai.tool_calls).toEqual([{ id: "c1", name: "weather", args: { city: "Oslo" }, type: "tool_call" }]);
    expect(ai.invalid_tool_calls?.[0]).toMatchObject({ id: "c2", args: "not json" });
    expect(stored.map(toChatMessage)).toEqual(messages);
  });

  it("reads LangChain's parsed calls when the raw ones are not kept", () => {
    const ai = new AIMessage({ content: "", tool_calls: [{ id: "c1", name: "f", args: { a: 1 } }] });
    expect(toolCallsOf(ai)).toEqual([
      { id: "c1", type: "function", function: { name: "f", arguments: '{"a":1}' } },
    ]);
  });
});
