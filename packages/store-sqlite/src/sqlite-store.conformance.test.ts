import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeStoreConformance } from "@agentrt/runtime/testing";
import { afterAll } from "vitest";
import { createSqliteStore } from "./sqlite-store.js";

describeStoreConformance("sqlite store (in memory)", { open: () => createSqliteStore({ path: ":memory:" }) });

// The same contract on a file, where WAL mode and the group commit's real transactions apply.
const dir = mkdtempSync(join(tmpdir(), "agentrt-conformance-"));
let n = 0;
describeStoreConformance("sqlite store (file)", {
  open: () => createSqliteStore({ path: join(dir, `store-${n++}.db`) }),
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
