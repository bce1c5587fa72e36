import { AIMessage, type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import type { MemoryPolicy } from "./config-schema.js";
import { buildModelInput, estimateTokens } from "./model-input.js";

const byMessages = (maxMessages: number): MemoryPolicy => ({
  strategy: "messages",
  maxMessages,
  trim: "oldest",
});
const byTokens = (maxTokens: number): MemoryPolicy => ({
  strategy: "tokens",
  maxMessages: 50,
  maxTokens,
  trim: "oldest",
});
const show = (messages: BaseMessage[]) => messages.map((m) => `${m.getType()}:${m.text}`);

const conversation = (turns: number): BaseMessage[] =>
  Array.from({ length: turns }, (_, i) => [new HumanMessage(`q${i}`), new AIMessage(`a${i}`)]).flat();

describe("estimateTokens", () => {
  it("counts about four characters per token plus per-message overhead", () => {
    expect(estimateTokens([])).toBe(0);
    expect(estimateTokens([new HumanMessage("")])).toBe(4);
    expect(estimateTokens([new HumanMessage("12345678"), new AIMessage("123456789")])).toBe(2 + 4 + 3 + 4);
  });
});

describe("buildModelInput", () => {
  it("sends everything that fits, after the system prompt", async () => {
    const history = conversation(2);
    expect(show(await buildModelInput(history, byMessages(50), "Be kind."))).toEqual([
      "system:Be kind.",
      "human:q0",
      "ai:a0",
      "human:q1",
      "ai:a1",
    ]);
  });

  it("keeps the most recent maxMessages and drops the oldest", async () => {
    const history = [...conversation(3), new HumanMessage("now")];
    expect(show(await buildModelInput(history, byMessages(3), undefined))).toEqual([
      "human:q2",
      "ai:a2",
      "human:now",
    ]);
  });

  it("keeps a system message that opens the history besides the configured prompt", async () => {
    const history = [new SystemMessage("Client rules."), ...conversation(5), new HumanMessage("now")];
    expect(show(await buildModelInput(history, byMessages(1), "Agent rules."))).toEqual([
      "system:Agent rules.",
      "system:Client rules.",
      "human:now",
    ]);
  });

  it("fits the history into a token budget that includes the system prompt", async () => {
    // "12345678" = 2 + 4 tokens per message; the prompt "1234" = 1 + 4.
    const history = ["12345678", "12345678", "12345678"].map((t) => new HumanMessage(t));
    expect(await buildModelInput(history, byTokens(5 + 12), "1234")).toHaveLength(3);
    expect(await buildModelInput(history, byTokens(5 + 11), "1234")).toHaveLength(2);
  });

  it("always sends the newest message, even over the token budget", async () => {
    const history = [new HumanMessage("old"), new HumanMessage("x".repeat(4000))];
    const input = await buildModelInput(history, byTokens(10), "A long system prompt that eats the budget.");
    expect(show(input)).toEqual([
      "system:A long system prompt that eats the budget.",
      `human:${"x".repeat(4000)}`,
    ]);
  });

  it("trims a long thread to the most recent messages within the budget", async () => {
    const history = conversation(5000);
    const input = await buildModelInput(history, byTokens(2000), undefined);
    expect(input.at(-1)?.text).toBe("a4999");
    expect(estimateTokens(input)).toBeLessThanOrEqual(2000);
  });
});
