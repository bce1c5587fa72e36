import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createFakeModelServer, type FakeModelServer } from "@agentrt/testing";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

const consoleDir = join(import.meta.dirname, "..");
const serverDir = join(consoleDir, "..", "server");
const require = createRequire(join(consoleDir, "package.json"));
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

export const ADMIN_KEY = "art_console-test-admin-key-0123456789abcdef";
export const FAKE_KEY = "sk-fake-upstream-key";
export const RESULTS_DIR = join(consoleDir, "test-results");

/**
 * Chromium from Debian (`apt-get install chromium`, done by .ci/run), never a downloaded build.
 * The background-networking flags keep it from reaching for Google's hosts on a closed network.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Harness {
  url: string;
  fake: FakeModelServer;
  browser: Browser;
  /** A fresh browser context (own sessionStorage) with one page. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  /** A REST call with the admin key (or another), answering status and JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  call(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * The built server (with the console the build copied into its dist) in this process on a real
 * loopback port, the fixture templates plus the task and conversation templates, a fake model.
 * The server is imported by path: it is no package dependency of the console (it depends on it).
 */
export async function startHarness(): Promise<Harness> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  process.env.FAKE_KEY = FAKE_KEY;
  const fake = await createFakeModelServer({ tokenDelayMs: 60 });
  const { createFixtureHost } = await import(
    join(consoleDir, "..", "..", "fixtures", "templates", "create-host.mjs")
  );
  const server = await import(join(serverDir, "dist", "index.js"));
  const dataDir = mkdtempSync(join(tmpdir(), "agentrt-console-test-"));
  const running = await server.startServer(
    server.parseEnv({
      AGENTRT_PORT: "0",
      AGENTRT_DATA_DIR: dataDir,
      AGENTRT_HOST_DIR: createFixtureHost({
        resolveFrom: serverDir,
        links: {
          "@agentrt/template-task": packageDir("@agentrt/template-task"),
          "@agentrt/template-conversation": packageDir("@agentrt/template-conversation"),
        },
      }),
      AGENTRT_ADMIN_KEY: ADMIN_KEY,
      AGENTRT_LOG_LEVEL: "silent",
      AGENTRT_TEMPLATE_SETTINGS: JSON.stringify({ task: { allowInternal: ["127.0.0.1"] } }),
    }),
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  const url = running.url as string;
  return {
    url,
    fake,
    browser,
    async newPage() {
      const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 860 } });
      return { context, page: await context.newPage() };
    },
    async call(method, path, body, key = ADMIN_KEY) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await browser.close();
      await running.close();
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, key: string): Promise<void> {
  await page.goto("/console/");
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Console" }).waitFor();
}

const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe-core's serious and critical violations on the page as it is now. Injected through the
 * devtools protocol: the console's CSP rightly refuses inline scripts.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is a global the evaluated source defines
    const axe = (window as any).axe;
    return (await axe.run(document, { resultTypes: ["violations"] })).violations as {
      id: string;
      impact: string;
      nodes: { target: string[] }[];
    }[];
  });
  return results
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}
