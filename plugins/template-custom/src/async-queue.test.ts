import { describe, expect, it } from "vitest";
import { createAsyncQueue } from "./async-queue.js";

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

describe("createAsyncQueue", () => {
  it("delivers values pushed before and while the consumer waits, then ends", async () => {
    const queue = createAsyncQueue<number>();
    queue.push(1);
    const consumed = collect(queue);
    await Promise.resolve();
    queue.push(2);
    setTimeout(() => {
      queue.push(3);
      queue.end();
      queue.push(4); // ignored after end
    }, 5);
    await expect(consumed).resolves.toEqual([1, 2, 3]);
  });

  it("hands values to the consumer as they arrive", async () => {
    const queue = createAsyncQueue<string>();
    const iterator = queue[Symbol.asyncIterator]();
    const first = iterator.next();
    queue.push("live");
    await expect(first).resolves.toEqual({ value: "live", done: false });
  });

  it("drains buffered values before throwing the failure", async () => {
    const queue = createAsyncQueue<number>();
    const seen: number[] = [];
    queue.push(1);
    queue.fail(new Error("boom"));
    queue.end(); // the first ending wins
    await expect(
      (async () => {
        for await (const value of queue) seen.push(value);
      })(),
    ).rejects.toThrow("boom");
    expect(seen).toEqual([1]);
  });
});
