import { describe, expect, it } from "vitest";
import { createId, nowIso } from "./ids.js";

describe("createId", () => {
  it("prefixes, is unique and sorts by creation time", async () => {
    const first = createId("agt");
    await new Promise((r) => setTimeout(r, 3));
    const second = createId("agt");
    expect(first).toMatch(/^agt_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(first < second).toBe(true);
  });

  it("keeps creation order within one millisecond", () => {
    const ids = Array.from({ length: 5000 }, () => createId("run"));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it("gives ISO timestamps", () => {
    const iso = nowIso();
    expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(new Date(iso).toISOString()).toBe(iso);
  });
});
