import { describe, expect, it } from "vitest";
import { readSseData } from "./sse.js";

async function dataOf(...chunks: string[]): Promise<string[]> {
  async function* source() {
    yield* chunks;
  }
  const out: string[] = [];
  for await (const data of readSseData(source())) out.push(data);
  return out;
}

describe("readSseData", () => {
  it("yields each event's data, however the stream is cut into chunks", async () => {
    const stream = 'data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n';
    expect(await dataOf(stream)).toEqual(['{"a":1}', '{"b":2}', "[DONE]"]);
    expect(await dataOf(...stream.split(""))).toEqual(['{"a":1}', '{"b":2}', "[DONE]"]);
  });

  it("handles CRLF line ends, comments, other fields and multi-line data", async () => {
    const stream = ": keep-alive\r\n\r\nevent: message\r\nid: 7\r\ndata: one\r\ndata:two\r\n\r\n";
    expect(await dataOf(stream)).toEqual(["one\ntwo"]);
  });

  it("yields a last event that is not followed by a blank line", async () => {
    expect(await dataOf("data: first\n\n", "data: last")).toEqual(["first", "last"]);
    expect(await dataOf("data: last\n")).toEqual(["last"]);
    expect(await dataOf("")).toEqual([]);
  });
});
