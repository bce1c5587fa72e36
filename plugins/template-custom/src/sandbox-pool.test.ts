import { describe, expect, it } from "vitest";
import { acquireSandboxPool } from "./sandbox-pool.js";
import { parseCustomSettings } from "./settings.js";

const logger = { debug() {}, info() {}, warn() {}, error() {} };

describe("acquireSandboxPool", () => {
  it("shares one pool until the last lease is released, then starts a new one", async () => {
    const settings = parseCustomSettings({ jsWorkers: 1, pythonWorkers: 1 });
    const first = acquireSandboxPool(settings, logger);
    const second = acquireSandboxPool(settings, logger);
    expect(second.pool).toBe(first.pool);
    await first.release();
    await first.release(); // a second release must not close the pool under `second`
    const third = acquireSandboxPool(settings, logger);
    expect(third.pool).toBe(first.pool);
    await second.release();
    await third.release();
    const fresh = acquireSandboxPool(settings, logger);
    expect(fresh.pool).not.toBe(first.pool);
    await fresh.release();
  });
});
