import { describe, expect, it } from "vitest";
import { createSseParser } from "./sse.js";

function dataOf(...chunks: string[]): string[] {
  const parser = createSseParser();
  const out = chunks.flatMap((chunk) => parser.push(chunk));
  const last = parser.end();
  return last === undefined ? out : [...out, last];
}

describe("createSseParser", () => {
  it("yields each event's data, however the stream is cut into chunks", () => {
    const stream = 'data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n';
    expect(dataOf(stream)).toEqual(['{"a":1}', '{"b":2}', "[DONE]"]);
    expect(dataOf(...stream.split(""))).toEqual(['{"a":1}', '{"b":2}', "[DONE]"]);
  });

  it("handles CRLF line ends, comments, other fields and multi-line data", () => {
    const stream = ": keep-alive\r\n\r\nevent: message\r\nid: 7\r\ndata: one\r\ndata:two\r\n\r\n";
    expect(dataOf(stream)).toEqual(["one\ntwo"]);
    expect(dataOf(...stream.split(""))).toEqual(["one\ntwo"]);
  });

  it("yields a last event that is not followed by a blank line", () => {
    expect(dataOf("data: first\n\n", "data: last")).toEqual(["first", "last"]);
    expect(dataOf("data: last\n")).toEqual(["last"]);
    expect(dataOf("")).toEqual([]);
  });
});
