import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHAT_FIELDS, chatFieldsTable, sortChatRequest } from "./chat-fields.js";

/** A Markdown table's cells, whatever the padding a formatter gave it. */
const cells = (table: string) =>
  table
    .trim()
    .split("\n")
    .map((row) => row.split("|").map((cell) => cell.trim().replace(/^-+$/, "---")));

describe("the chat fields table", () => {
  it("is the one the README shows", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("\n", readme.indexOf("<!-- chat-fields:start")) + 1;
    expect(cells(readme.slice(start, readme.indexOf("<!-- chat-fields:end")))).toEqual(
      cells(chatFieldsTable()),
    );
  });

  it("sorts a request: agent params kept, ignored fields named, harmless values passed", () => {
    expect(
      sortChatRequest({
        model: "m",
        messages: [],
        temperature: 0.2,
        user: "u",
        store: true,
        n: 1,
        seed: null,
        metadata: { thread_id: "t", mine: 1 },
      }),
    ).toEqual({ params: { temperature: 0.2 }, ignored: ["user", "metadata.mine"] });
    expect(Object.values(CHAT_FIELDS).every((rule) => rule.note.length > 0)).toBe(true);
  });

  it("refuses refused and unknown fields with their name", () => {
    expect(() => sortChatRequest({ audio: {} })).toThrow(
      expect.objectContaining({ code: "UNSUPPORTED_PARAMETER" }),
    );
    expect(() => sortChatRequest({ nonsense: 1 })).toThrow(/not a Chat Completions request field/);
  });
});
