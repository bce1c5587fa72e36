import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Logger } from "@agentrt/core";
// @ts-expect-error plain JS fixture helper shared with core's tests
import { createFixtureHost } from "../../../fixtures/templates/create-host.mjs";
import { parseEnv } from "../src/env.js";
import { type RunningServer, startServer } from "../src/server.js";

export const ADMIN_KEY = "art_test-admin-key-0123456789abcdefghijklmnop";
export const serverDir = resolve(import.meta.dirname, "..");
export const workspaceDir = resolve(serverDir, "../..");

/** A host app with the fixture templates plus the given first-party templates linked in. */
export function createTestHost(links: Record<string, string> = {}): string {
  return createFixtureHost({ resolveFrom: serverDir, links }) as string;
}

export interface TestServer extends RunningServer {
  dataDir: string;
  /** fetch with the admin key and JSON content type unless overridden. */
  api(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  /** Sends JSON and parses the JSON answer. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    key?: string | null,
  ): Promise<{ status: number; body: T; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startTestServer(
  env: Record<string, string> = {},
  logger?: Logger,
): Promise<TestServer> {
  const dataDir = env.AGENTRT_DATA_DIR ?? mkdtempSync(join(tmpdir(), "agentrt-data-"));
  const server = await startServer(
    parseEnv({
      AGENTRT_PORT: "0",
      AGENTRT_DATA_DIR: dataDir,
      AGENTRT_HOST_DIR: env.AGENTRT_HOST_DIR ?? createTestHost(),
      AGENTRT_ADMIN_KEY: ADMIN_KEY,
      AGENTRT_LOG_LEVEL: "silent",
      // Tests stop servers with runs in progress; they are interrupted at once unless a test asks otherwise.
      AGENTRT_SHUTDOWN_GRACE_MS: "0",
      ...env,
    }),
    logger,
  );
  const api: TestServer["api"] = (path, init = {}) => {
    const { key = ADMIN_KEY, headers, ...rest } = init;
    const merged = new Headers(headers);
    if (key !== null && !merged.has("authorization")) merged.set("authorization", `Bearer ${key}`);
    if (rest.body !== undefined && !merged.has("content-type"))
      merged.set("content-type", "application/json");
    return fetch(server.url + path, { ...rest, headers: merged });
  };
  return {
    ...server,
    dataDir,
    api,
    async call(method, path, body, key) {
      const res = await api(path, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(key === undefined ? {} : { key }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    async stop() {
      await server.close();
      if (!env.AGENTRT_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
