import { isAgentrtError } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { replyText, toRunInput } from "./chat-input.js";

const user = (content: string) => ({ role: "user" as const, content });
const assistant = (content: string) => ({ role: "assistant" as const, content });

function issuePath(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    if (isAgentrtError(error)) return error.issues?.[0]?.path;
    throw error;
  }
  throw new Error("expected a validation error");
}

describe("toRunInput", () => {
  it("gives a stateless conversation run the whole history, developer messages as system", () => {
    const messages = [{ role: "developer" as const, content: "rules" }, user("a"), assistant("b"), user("c")];
    expect(toRunInput("conversation", messages, false)).toEqual({
      messages: [
        { role: "system", content: "rules" },
        { role: "user", content: "a" },
        { role: "assistant", content: "b" },
        { role: "user", content: "c" },
      ],
      stateless: true,
    });
  });

  it("gives a threaded conversation run only the trailing user messages", () => {
    const input = toRunInput(
      "conversation",
      [user("old"), assistant("reply"), user("new 1"), user("new 2")],
      true,
    );
    expect(input).toEqual({ messages: [user("new 1"), user("new 2")] });
    expect(issuePath(() => toRunInput("conversation", [user("a"), assistant("b")], true))).toEqual([
      "messages",
      1,
      "role",
    ]);
  });

  it("joins text parts, refuses other parts and reads null content as empty", () => {
    const parts = {
      role: "user" as const,
      content: [
        { type: "text", text: "one" },
        { type: "text", text: "two" },
      ],
    };
    expect(toRunInput("echo", [parts], false)).toBe("one\ntwo");
    expect(
      toRunInput("conversation", [{ role: "assistant", content: null }, user("x")], false),
    ).toMatchObject({
      messages: [{ role: "assistant", content: "" }, user("x")],
    });
    const image = { role: "user" as const, content: [{ type: "image_url", image_url: { url: "x" } }] };
    expect(issuePath(() => toRunInput("echo", [image], false))).toEqual(["messages", 0, "content", 0]);
  });

  it("gives other agents the last user message's text", () => {
    expect(toRunInput("task", [user("first"), assistant("x"), user("last"), assistant("y")], false)).toBe(
      "last",
    );
    expect(issuePath(() => toRunInput("task", [assistant("only")], false))).toEqual(["messages"]);
  });
});

describe("replyText", () => {
  it("reads strings, assistant messages and stringifies anything else", () => {
    expect(replyText("plain")).toBe("plain");
    expect(replyText({ role: "assistant", content: "said" })).toBe("said");
    expect(replyText({ total: 3, items: ["a"] })).toBe('{"total":3,"items":["a"]}');
    expect(replyText(42)).toBe("42");
    expect(replyText(null)).toBe("");
  });
});
