import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHostFetch, isHostAllowed } from "./host-fetch.js";

describe("isHostAllowed", () => {
  const allowed = (url: string, list: string[]) => isHostAllowed(new URL(url), list);

  it("matches exact hosts, subdomain wildcards and ports", () => {
    expect(allowed("https://api.example.com/x", ["api.example.com"])).toBe(true);
    expect(allowed("https://API.example.com/x", ["api.example.com"])).toBe(true);
    expect(allowed("https://evil.com/?api.example.com", ["api.example.com"])).toBe(false);
    expect(allowed("https://a.example.com", ["*.example.com"])).toBe(true);
    expect(allowed("https://example.com", ["*.example.com"])).toBe(false);
    expect(allowed("https://badexample.com", ["*.example.com"])).toBe(false);
    expect(allowed("http://127.0.0.1:8080", ["127.0.0.1:8080"])).toBe(true);
    expect(allowed("http://127.0.0.1:8081", ["127.0.0.1:8080"])).toBe(false);
    expect(allowed("https://example.com", ["example.com:443"])).toBe(true);
    expect(allowed("http://example.com", ["example.com:443"])).toBe(false);
  });
});

describe("createHostFetch", () => {
  const server = createServer((req, res) => {
    if (req.url === "/redirect") {
      res.writeHead(302, { location: "http://169.254.169.254/" });
      return res.end();
    }
    if (req.url === "/slow") return; // never answers
    res.end("hello");
  });
  let host = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const request = (url: string) => ({ url, method: "GET", headers: {} });

  it("returns status, lower-cased headers and body", async () => {
    const response = await createHostFetch({ allowList: [host] })(request(`http://${host}/`));
    expect(response).toMatchObject({ status: 200, body: "hello", headers: { "content-length": "5" } });
  });

  it("does not follow redirects", async () => {
    const response = await createHostFetch({ allowList: [host] })(request(`http://${host}/redirect`));
    expect(response).toMatchObject({ status: 302, headers: { location: "http://169.254.169.254/" } });
  });

  it("refuses bad URLs, caps time and body size", async () => {
    const hostFetch = createHostFetch({ allowList: [host], timeoutMs: 200, maxBodyBytes: 3 });
    await expect(hostFetch(request("not a url"))).rejects.toMatchObject({ code: "URL_NOT_ALLOWED" });
    await expect(hostFetch(request(`ftp://${host}/`))).rejects.toMatchObject({ code: "URL_NOT_ALLOWED" });
    await expect(hostFetch(request(`http://${host}/`))).rejects.toMatchObject({ code: "RESPONSE_TOO_LARGE" });
    await expect(hostFetch(request(`http://${host}/slow`))).rejects.toThrow(/timeout|aborted/i);
  });
});
