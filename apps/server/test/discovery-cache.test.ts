import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DISCOVERY_CACHE_FILE } from "../src/server.js";
import { createTestHost, startTestServer } from "./helpers.js";

const cleanup: string[] = [];
afterEach(() => {
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDirs() {
  const host = createTestHost();
  const dataDir = mkdtempSync(join(tmpdir(), "agentrt-data-"));
  cleanup.push(host, dataDir);
  return { host, dataDir };
}

describe("discovery metadata cache in the server", () => {
  it("keeps verdicts in the data dir and never serves a stale one across restarts", async () => {
    const { host, dataDir } = tempDirs();
    const env = { AGENTRT_HOST_DIR: host, AGENTRT_DATA_DIR: dataDir };
    let server = await startTestServer(env);
    await server.stop();
    const cacheFile = join(dataDir, DISCOVERY_CACHE_FILE);
    const entries = JSON.parse(readFileSync(cacheFile, "utf8")).entries;
    expect(Object.keys(entries)).toHaveLength(8);

    // The compatible echo template now demands a core this server does not have.
    const manifest = join(host, "node_modules", "agentrt-template-echo", "package.json");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace('"^2.0.0"', '"^7.0.0"'));
    server = await startTestServer(env);
    try {
      const { body } = await server.call("GET", "/v1/templates");
      expect(body.data.map((t: { name: string }) => t.name)).toEqual(["multi", "parrot"]);
      const echo = body.rejected.find(
        (r: { packageName: string }) => r.packageName === "agentrt-template-echo",
      );
      expect(echo).toMatchObject({ code: "TEMPLATE_INCOMPATIBLE" });
    } finally {
      await server.stop();
    }
  });

  it("writes nothing with AGENTRT_DISCOVERY_CACHE=off", async () => {
    const { host, dataDir } = tempDirs();
    const server = await startTestServer({
      AGENTRT_HOST_DIR: host,
      AGENTRT_DATA_DIR: dataDir,
      AGENTRT_DISCOVERY_CACHE: "off",
    });
    await server.stop();
    expect(existsSync(join(dataDir, DISCOVERY_CACHE_FILE))).toBe(false);
  });
});
