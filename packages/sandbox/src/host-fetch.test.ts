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

describe("createHostFetch under the egress policy", () => {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "");
    res.end("internal");
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  /** Test names resolve to every denied class; `receiver.test` is the operator's internal receiver. */
  const names: Record<string, string> = {
    "loop.test": "127.0.0.1",
    "loop6.test": "::1",
    "mapped.test": "::ffff:127.0.0.1",
    "meta.test": "169.254.169.254",
    "meta6.test": "fd00:ec2::254",
    "private.test": "10.0.0.7",
    "ula.test": "fd12::1",
    "cgnat.test": "100.64.0.1",
    "multicast.test": "224.0.0.1",
    "zero.test": "0.0.0.0",
    "receiver.test": "127.0.0.1",
  };
  const resolve = async (host: string) => {
    const address = names[host];
    if (!address) throw new Error(`ENOTFOUND ${host}`);
    return [{ address, family: address.includes(":") ? 6 : 4 }];
  };
  const request = (url: string) => ({ url, method: "GET", headers: {} });

  it.each(Object.keys(names).filter((name) => name !== "receiver.test"))(
    "refuses an allow-listed name that resolves inside (%s), without saying where",
    async (name) => {
      const hostFetch = createHostFetch({ allowList: ["*.test"], resolve });
      const error = await hostFetch(request(`http://${name}:${port}/`)).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: "URL_NOT_ALLOWED",
        message: expect.stringMatching(new RegExp(`^${name} resolves to a restricted address \\(`)),
      });
      expect((error as Error).message).not.toContain(names[name]!);
      expect(hits).toHaveLength(0);
    },
  );

  it("refuses localhost on the allow-list through the system resolver", async () => {
    const error = await createHostFetch({ allowList: [`localhost:${port}`] })(
      request(`http://localhost:${port}/`),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "URL_NOT_ALLOWED",
      message: "localhost resolves to a restricted address (loopback)",
    });
  });

  it.each([
    "http://2130706433/",
    "http://0x7f.1/",
    "http://017700000001/",
    "http://[::1]/",
    "http://169.254.169.254/",
  ])("refuses %s, which no name pattern matches", async (url) => {
    const hostFetch = createHostFetch({ allowList: ["*.test", "example.com"], resolve });
    await expect(hostFetch(request(url))).rejects.toMatchObject({ code: "URL_NOT_ALLOWED" });
  });

  it("lets the operator's one internal receiver through by name, and nothing else", async () => {
    const hostFetch = createHostFetch({ allowList: ["*.test"], allowInternal: ["receiver.test"], resolve });
    expect(await hostFetch(request(`http://receiver.test:${port}/in`))).toMatchObject({
      status: 200,
      body: "internal",
    });
    expect(hits).toEqual(["/in"]);
    await expect(hostFetch(request(`http://loop.test:${port}/`))).rejects.toMatchObject({
      code: "URL_NOT_ALLOWED",
    });
  });

  it("counts IP addresses named on the allow-list as the operator's choice", async () => {
    for (const entry of [`127.0.0.1:${port}`, "127.0.0.1"]) {
      const hostFetch = createHostFetch({ allowList: [entry] });
      expect((await hostFetch(request(`http://127.0.0.1:${port}/named`))).status, entry).toBe(200);
    }
    // Only the named address: a name resolving to another loopback address is still refused.
    const hostFetch = createHostFetch({
      allowList: [`127.0.0.1:${port}`, "[::1]:8080", "*.test"],
      resolve: async () => [{ address: "127.0.0.2", family: 4 }],
    });
    await expect(hostFetch(request(`http://other.test:${port}/`))).rejects.toMatchObject({
      code: "URL_NOT_ALLOWED",
      message: "other.test resolves to a restricted address (loopback)",
    });
  });
});
