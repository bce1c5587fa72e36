import { describe, expect, it } from "vitest";
import { createMemoryStore } from "./memory-store.js";
import { describeStoreConformance } from "./testing.js";

describeStoreConformance("memory store", { open: createMemoryStore });

describe("memory store", () => {
  it("says what it is and has no checkpointer", () => {
    const store = createMemoryStore();
    expect(store.kind).toBe("memory");
    expect(store.checkpointer).toBeUndefined();
  });
});
