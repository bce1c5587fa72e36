import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageDir } from "../scripts/codegen.ts";

const serverDir = join(packageDir, "..", "..", "apps", "server");
export const ADMIN_KEY = "art_client-test-admin-key-0123456789abcdef";

/** The built server with the fixture templates, in process on a real loopback port. */
export async function startServer() {
  const { createFixtureHost } = await import(
    join(packageDir, "..", "..", "fixtures", "templates", "create-host.mjs")
  );
  const server = await import(join(serverDir, "dist", "index.js"));
  const dataDir = mkdtempSync(join(tmpdir(), "agentrt-client-test-"));
  const running = await server.startServer(
    server.parseEnv({
      AGENTRT_PORT: "0",
      AGENTRT_DATA_DIR: dataDir,
      AGENTRT_HOST_DIR: createFixtureHost({ resolveFrom: serverDir }),
      AGENTRT_ADMIN_KEY: ADMIN_KEY,
      AGENTRT_LOG_LEVEL: "silent",
      AGENTRT_CONSOLE: "off",
    }),
  );
  return {
    url: running.url as string,
    async stop() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
