import { describe, expect, it } from "vitest";
import type { ChatMessage } from "./input-schema.js";
import { toBaseMessage, toChatMessage } from "./messages.js";

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
});
