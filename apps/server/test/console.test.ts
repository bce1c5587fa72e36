import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_CSP } from "../src/routes/console/console.index.js";
import { DOCS_SCRIPT_PATH } from "../src/routes/console/docs.index.js";
import { startTestServer, type TestServer } from "./helpers.js";

let server: TestServer;
let off: TestServer;
beforeAll(async () => {
  [server, off] = await Promise.all([startTestServer(), startTestServer({ AGENTRT_CONSOLE: "off" })]);
});
afterAll(() => Promise.all([server.stop(), off.stop()]));

describe("/docs", () => {
  it("loads the API reference script from this server, not a CDN", async () => {
    const page = await (await fetch(`${server.url}/docs`)).text();
    expect(page).toContain(`src="${DOCS_SCRIPT_PATH}"`);
    expect(page).not.toMatch(/https?:\/\/(cdn|fonts)\./);
    const script = await fetch(server.url + DOCS_SCRIPT_PATH, { headers: { "accept-encoding": "gzip" } });
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("javascript");
    expect(script.headers.get("content-encoding")).toBe("gzip");
    expect((await script.text()).length).toBeGreaterThan(100_000);
  });
});

describe("/console", () => {
  it("serves the built console under a strict Content-Security-Policy, compressed", async () => {
    const res = await fetch(`${server.url}/console/`, { headers: { "accept-encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const html = await res.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(server.url + script);
    expect(asset.headers.get("content-type")).toContain("javascript");
    expect(asset.headers.get("cache-control")).toContain("immutable");
  });

  it("answers its own routes with index.html and redirects the bare path", async () => {
    const deep = await fetch(`${server.url}/console/agents/some-agent`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root">');
    const bare = await fetch(`${server.url}/console`, { redirect: "manual" });
    expect(bare.status).toBe(302);
    expect(bare.headers.get("location")).toBe("/console/");
  });

  it("serves no file from outside its directory", async () => {
    for (const path of [
      "/console/..%2Fpackage.json",
      "/console/%2e%2e/%2e%2e/package.json",
      "/console/x.ts",
    ]) {
      const res = await fetch(server.url + path);
      expect([200, 404], path).toContain(res.status);
      expect(await res.text(), path).not.toContain('"name": "@agentrt/server"');
    }
  });

  it("is off with AGENTRT_CONSOLE=off", async () => {
    const res = await fetch(`${off.url}/console/`);
    expect(res.status).toBe(404);
    expect((await fetch(`${off.url}/docs`)).status).toBe(200);
  });
});
