import { describe, expect, it } from "vitest";
import { linkedAbort } from "./abort-link.js";

describe("linkedAbort", () => {
  it("aborts with the parent's reason while linked", () => {
    const parent = new AbortController();
    const { controller } = linkedAbort(parent.signal);
    parent.abort(new Error("cancelled"));
    expect(controller.signal.aborted).toBe(true);
    expect((controller.signal.reason as Error).message).toBe("cancelled");
  });

  it("starts aborted under an aborted parent", () => {
    const { controller } = linkedAbort(AbortSignal.abort("gone"));
    expect(controller.signal.reason).toBe("gone");
  });

  it("no longer follows the parent once unlinked, and aborts on its own without touching it", () => {
    const parent = new AbortController();
    const first = linkedAbort(parent.signal);
    first.unlink();
    parent.abort();
    expect(first.controller.signal.aborted).toBe(false);

    const other = new AbortController();
    const second = linkedAbort(other.signal);
    second.controller.abort();
    expect(other.signal.aborted).toBe(false);
  });
});
