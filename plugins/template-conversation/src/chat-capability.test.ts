import { type ChatMessage, ErrorCode, isAgentrtError } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { chat } from "./chat-capability.js";
import template from "./index.js";
import { parseConversationInput } from "./parse-input.js";

const user = (content: string) => ({ role: "user" as const, content });
const assistant = (content: string) => ({ role: "assistant" as const, content });
const tool = (content: string, tool_call_id = "call_1") => ({ role: "tool" as const, content, tool_call_id });
const call = { id: "call_1", type: "function" as const, function: { name: "weather", arguments: "{}" } };
const calling = { role: "assistant" as const, content: "", tool_calls: [call] };

const stateless = { threadId: undefined, params: {} };
const onThread = { threadId: "thr_1", params: {} };

/** The VALIDATION_FAILED issue a call throws. */
function issueOf(fn: () => unknown): { path: unknown; message: string } | undefined {
  try {
    fn();
  } catch (error) {
    if (isAgentrtError(error) && error.code === ErrorCode.VALIDATION_FAILED) return error.issues?.[0];
    throw error;
  }
  throw new Error("expected a validation error");
}

describe("chat.toInput", () => {
  it("is the template's chat capability", () => {
    expect(template.chat).toBe(chat);
  });

  it("gives a stateless run the whole history, developer messages as system", () => {
    const messages: ChatMessage[] = [
      { role: "developer", content: "rules" },
      { role: "system", content: "more rules" },
      user("a"),
      assistant("b"),
      user("c"),
    ];
    expect(chat.toInput(messages, stateless)).toEqual({
      messages: [
        { role: "system", content: "rules" },
        { role: "system", content: "more rules" },
        { role: "user", content: "a" },
        { role: "assistant", content: "b" },
        { role: "user", content: "c" },
      ],
      stateless: true,
    });
  });

  it("keeps empty content (a null content arrives as an empty string)", () => {
    expect(chat.toInput([assistant(""), user("x")], stateless)).toEqual({
      messages: [assistant(""), user("x")],
      stateless: true,
    });
  });

  it("gives a run on a thread only the trailing user messages", () => {
    expect(chat.toInput([user("old"), assistant("reply"), user("new 1"), user("new 2")], onThread)).toEqual({
      messages: [user("new 1"), user("new 2")],
    });
    expect(chat.toInput([user("only")], onThread)).toEqual({ messages: [user("only")] });
  });

  it("refuses a thread request whose last message is neither a user message nor a tool result", () => {
    expect(issueOf(() => chat.toInput([user("a"), assistant("b")], onThread))).toEqual({
      path: ["messages", 1, "role"],
      message: "the last message must be a user message or a tool result",
    });
    expect(issueOf(() => chat.toInput([{ role: "developer", content: "x" }], onThread))?.path).toEqual([
      "messages",
      0,
      "role",
    ]);
  });

  it("keeps tool calls and their results in a stateless history", () => {
    expect(chat.toInput([user("a"), calling, tool("42"), user("b")], stateless)).toEqual({
      messages: [user("a"), calling, tool("42"), user("b")],
      stateless: true,
    });
  });

  it("on a thread, takes the trailing tool results (and user messages) as the new messages", () => {
    expect(chat.toInput([user("a"), calling, tool("42")], onThread)).toEqual({ messages: [tool("42")] });
    expect(chat.toInput([user("a"), calling, tool("42"), user("b")], onThread)).toEqual({
      messages: [tool("42"), user("b")],
    });
  });

  it("refuses a tool message without the id of its call, at that field", () => {
    const bare = { role: "tool" as const, content: "42" };
    expect(issueOf(() => chat.toInput([user("a"), calling, bare], stateless))?.path).toEqual([
      "messages",
      2,
      "tool_call_id",
    ]);
  });

  it("refuses an empty message list", () => {
    for (const options of [stateless, onThread]) {
      expect(issueOf(() => chat.toInput([], options))).toEqual({
        path: ["messages"],
        message: "at least one message is required",
      });
    }
  });

  it("produces input the template's own input schema accepts", () => {
    const history = [{ role: "developer" as const, content: "rules" }, user("a"), assistant("b"), user("c")];
    expect(parseConversationInput(chat.toInput(history, stateless))).toEqual({
      messages: [{ role: "system", content: "rules" }, user("a"), assistant("b"), user("c")],
      stateless: true,
      params: {},
    });
    expect(parseConversationInput(chat.toInput(history, onThread))).toEqual({
      messages: [user("c")],
      stateless: false,
      params: {},
    });
  });
});

describe("chat.params and chat.replyToolCalls", () => {
  it("honours caller tools besides the config's callerParams.allow", () => {
    expect(chat.params?.({ callerParams: { allow: ["temperature", "tools"], otherwise: "refuse" } })).toEqual(
      {
        honoured: ["temperature", "tools", "tool_choice", "parallel_tool_calls"],
        otherwise: "refuse",
      },
    );
  });

  it("hands back an assistant output's tool calls, none for anything else", () => {
    expect(chat.replyToolCalls?.({ role: "assistant", content: "", tool_calls: [call] })).toEqual([call]);
    expect(chat.replyToolCalls?.({ role: "assistant", content: "done" })).toEqual([]);
    expect(chat.replyToolCalls?.(null)).toEqual([]);
    expect(chat.replyToolCalls?.("text")).toEqual([]);
  });
});

describe("chat.replyText", () => {
  it("reads the assistant message's content", () => {
    expect(chat.replyText({ role: "assistant", content: "said" })).toBe("said");
    expect(chat.replyText({ role: "assistant", content: "" })).toBe("");
  });

  it("reads strings, shows nothing for no output and stringifies anything else", () => {
    expect(chat.replyText("plain")).toBe("plain");
    expect(chat.replyText(null)).toBe("");
    expect(chat.replyText(undefined)).toBe("");
    expect(chat.replyText({ total: 3, items: ["a"] })).toBe('{"total":3,"items":["a"]}');
    expect(chat.replyText({ role: "user", content: "not a reply" })).toBe(
      '{"role":"user","content":"not a reply"}',
    );
    expect(chat.replyText(42)).toBe("42");
  });
});
