import { describe, expect, it } from "vitest";
import type { MemoryPolicy } from "./config-schema.js";
import type { ChatMessage } from "./input-schema.js";
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
const user = (content: string): ChatMessage => ({ role: "user", content });
const assistant = (content: string): ChatMessage => ({ role: "assistant", content });
const system = (content: string): ChatMessage => ({ role: "system", content });
const show = (messages: ChatMessage[]) => messages.map((m) => `${m.role}:${m.content}`);

const conversation = (turns: number): ChatMessage[] =>
  Array.from({ length: turns }, (_, i) => [user(`q${i}`), assistant(`a${i}`)]).flat();

describe("estimateTokens", () => {
  it("counts about four characters per token plus per-message overhead", () => {
    expect(estimateTokens([])).toBe(0);
    expect(estimateTokens([user("")])).toBe(4);
    expect(estimateTokens([user("12345678"), assistant("123456789")])).toBe(2 + 4 + 3 + 4);
  });
});

describe("buildModelInput", () => {
  it("sends everything that fits, after the system prompt", () => {
    expect(show(buildModelInput(conversation(2), byMessages(50), "Be kind."))).toEqual([
      "system:Be kind.",
      "user:q0",
      "assistant:a0",
      "user:q1",
      "assistant:a1",
    ]);
  });

  it("keeps the most recent maxMessages and drops the oldest", () => {
    const history = [...conversation(3), user("now")];
    expect(show(buildModelInput(history, byMessages(3), undefined))).toEqual([
      "user:q2",
      "assistant:a2",
      "user:now",
    ]);
  });

  it("keeps a system message that opens the history besides the configured prompt", () => {
    const history = [system("Client rules."), ...conversation(5), user("now")];
    expect(show(buildModelInput(history, byMessages(1), "Agent rules."))).toEqual([
      "system:Agent rules.",
      "system:Client rules.",
      "user:now",
    ]);
  });

  it("sends only the pinned messages when the history holds nothing else", () => {
    expect(show(buildModelInput([system("Client rules.")], byMessages(5), "Agent rules."))).toEqual([
      "system:Agent rules.",
      "system:Client rules.",
    ]);
  });

  it("fits the history into a token budget that includes the system prompt", () => {
    // "12345678" = 2 + 4 tokens per message; the prompt "1234" = 1 + 4.
    const history = ["12345678", "12345678", "12345678"].map(user);
    expect(buildModelInput(history, byTokens(5 + 12), "1234")).toHaveLength(3);
    expect(buildModelInput(history, byTokens(5 + 11), "1234")).toHaveLength(2);
  });

  it("always sends the newest message, even over the token budget", () => {
    const history = [user("old"), user("x".repeat(4000))];
    const input = buildModelInput(history, byTokens(10), "A long system prompt that eats the budget.");
    expect(show(input)).toEqual([
      "system:A long system prompt that eats the budget.",
      `user:${"x".repeat(4000)}`,
    ]);
  });

  it("trims a long thread to the most recent messages within the budget", () => {
    const history = conversation(5000);
    const input = buildModelInput(history, byTokens(2000), undefined);
    expect(input.at(-1)?.content).toBe("a4999");
    expect(estimateTokens(input)).toBeLessThanOrEqual(2000);
    expect(estimateTokens(buildModelInput(history, byTokens(2000 + 6), undefined))).toBeGreaterThan(2000);
  });
});

describe("buildModelInput with tool calls", () => {
  const call = (id: string) => ({
    id,
    type: "function" as const,
    function: { name: "weather", arguments: '{"city":"Oslo"}' },
  });
  const history: ChatMessage[] = [
    user("q0"),
    assistant("a0"),
    user("weather?"),
    { role: "assistant", content: "", tool_calls: [call("c1"), call("c2")] },
    { role: "tool", content: "sunny", tool_call_id: "c1" },
    { role: "tool", content: "rainy", tool_call_id: "c2" },
  ];

  it("never starts the window with a tool result: it reaches back to the calling message", () => {
    expect(show(buildModelInput(history, byMessages(1), undefined))).toEqual([
      "assistant:",
      "tool:sunny",
      "tool:rainy",
    ]);
    expect(show(buildModelInput(history, byMessages(4), undefined))).toEqual([
      "user:weather?",
      "assistant:",
      "tool:sunny",
      "tool:rainy",
    ]);
  });

  it("counts the calls' names and arguments as tokens", () => {
    expect(estimateTokens([history[3]!])).toBe(Math.ceil((2 * (7 + 15)) / 4) + 4);
  });
});
