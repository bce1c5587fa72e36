import { describe, expect, it } from "vitest";
import { match } from "./router.js";

describe("match", () => {
  it("reads named parts and ignores a trailing slash", () => {
    expect(match("/runs/:id", "/runs/run_1/")).toEqual({ id: "run_1" });
    expect(match("/playground/:agent/:thread", "/playground/a%20b/thr_1")).toEqual({
      agent: "a b",
      thread: "thr_1",
    });
    expect(match("/", "/")).toEqual({});
  });

  it("refuses other shapes", () => {
    expect(match("/runs/:id", "/runs")).toBeUndefined();
    expect(match("/agents/new", "/agents/x")).toBeUndefined();
  });
});
