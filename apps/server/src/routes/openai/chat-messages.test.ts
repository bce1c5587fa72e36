import { isAgentrtError } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { toChatMessages } from "./chat-messages.js";

describe("toChatMessages", () => {
  it("keeps roles, joins text parts and reads null content as empty", () => {
    const messages = toChatMessages([
      { role: "developer", content: "rules" },
      { role: "assistant", content: null },
      {
        role: "user",
        content: [
          { type: "text", text: "one" },
          { type: "text", text: "two" },
        ],
      },
    ]);
    expect(messages).toEqual([
      { role: "developer", content: "rules" },
      { role: "assistant", content: "" },
      { role: "user", content: "one\ntwo" },
    ]);
  });

  it("refuses parts other than text at their path", () => {
    const image = { role: "user" as const, content: [{ type: "image_url", image_url: { url: "x" } }] };
    try {
      toChatMessages([{ role: "user", content: "fine" }, image]);
      expect.unreachable();
    } catch (error) {
      expect(isAgentrtError(error) && error.issues?.[0]?.path).toEqual(["messages", 1, "content", 0]);
    }
  });
});
