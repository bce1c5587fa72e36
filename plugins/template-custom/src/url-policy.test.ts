import { isAgentrtError } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { isHostAllowed, parseCodeUrl, resolveAllowedAddress } from "./url-policy.js";

async function refusal(
  promise: Promise<unknown>,
): Promise<{ code: string; details: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAgentrtError(error)) throw new Error(`expected an AgentrtError, got ${String(error)}`);
  expect(error.issues?.[0]?.path).toEqual(["content"]);
  expect(error.issues?.[0]?.message).toMatch(new RegExp(`^${error.code}: `));
  return { code: error.code, details: error.details ?? {} };
}

async function check(raw: string, allowHosts: string[], allowPrivateAddresses = false) {
  return refusal(
    (async () =>
      resolveAllowedAddress(parseCodeUrl(raw, allowHosts), { allowHosts, allowPrivateAddresses }))(),
  );
}

describe("isHostAllowed", () => {
  it("matches exact names case-insensitively and ignores the root dot", () => {
    expect(isHostAllowed("Code.Example.com.", ["code.example.com"])).toBe(true);
    expect(isHostAllowed("evil.com", ["code.example.com"])).toBe(false);
  });

  it("matches subdomains for wildcard entries only", () => {
    expect(isHostAllowed("a.b.example.com", ["*.example.com"])).toBe(true);
    expect(isHostAllowed("example.com", ["*.example.com"])).toBe(false);
    expect(isHostAllowed("badexample.com", ["*.example.com"])).toBe(false);
  });

  it("compares IP entries in canonical form", () => {
    expect(isHostAllowed("[::ffff:7f00:1]", ["::ffff:127.0.0.1"])).toBe(true);
    expect(isHostAllowed("127.0.0.1", ["127.0.0.1"])).toBe(true);
  });
});

describe("parseCodeUrl", () => {
  it("refuses http", async () => {
    expect(await check("http://code.example.com/a.js", ["code.example.com"])).toMatchObject({
      code: "URL_NOT_ALLOWED",
      details: { reason: "scheme" },
    });
  });

  it("refuses other schemes", async () => {
    expect((await check("file:///etc/passwd", [])).details.reason).toBe("scheme");
  });

  it("refuses hosts outside the allow-list", async () => {
    expect(await check("https://evil.example.net/a.js", ["code.example.com"])).toMatchObject({
      code: "URL_NOT_ALLOWED",
      details: { reason: "host", host: "evil.example.net" },
    });
  });

  it("refuses credentials and garbage", async () => {
    expect((await check("https://u:p@code.example.com/", ["code.example.com"])).details.reason).toBe(
      "credentials",
    );
    expect((await check("not a url", [])).details.reason).toBe("invalid");
  });

  it("an IP spelled another way does not match a host name entry", async () => {
    expect((await check("https://2130706433/", ["localhost"])).details.reason).toBe("host");
  });
});

describe("resolveAllowedAddress", () => {
  // Each of these is on the allow-list on purpose: the address check must catch it on its own.
  it.each([
    ["https://127.0.0.1/", "127.0.0.1", "loopback"],
    ["https://127.1/", "127.0.0.1", "loopback"],
    ["https://2130706433/", "127.0.0.1", "loopback"],
    ["https://0x7f000001/", "127.0.0.1", "loopback"],
    ["https://0177.0.0.1/", "127.0.0.1", "loopback"],
    ["https://017700000001/", "127.0.0.1", "loopback"],
    ["https://0x7f.1/", "127.0.0.1", "loopback"],
    ["https://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254", "unique-local"],
    ["https://100.64.0.1/", "100.64.0.1", "shared (carrier-grade NAT)"],
    ["https://224.0.0.1/", "224.0.0.1", "multicast"],
    ["https://[::1]/", "::1", "loopback"],
    ["https://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1", "loopback"],
    ["https://10.1.2.3/", "10.1.2.3", "private"],
    ["https://192.168.0.10/", "192.168.0.10", "private"],
    ["https://172.20.0.1/", "172.20.0.1", "private"],
    ["https://169.254.169.254/latest/meta-data/", "169.254.169.254", "link-local"],
    ["https://[fe80::1]/", "fe80::1", "link-local"],
    ["https://[fd00::1]/", "fd00::1", "unique-local"],
    ["https://0/", "0.0.0.0", "unspecified"],
  ])("refuses %s", async (raw, allowed, range) => {
    expect(await check(raw, [allowed])).toMatchObject({
      code: "URL_NOT_ALLOWED",
      details: { reason: "address", range },
    });
  });

  it("refuses a name that resolves to loopback (system resolver)", async () => {
    const { code, details } = await check("https://localhost/", ["localhost"]);
    expect(code).toBe("URL_NOT_ALLOWED");
    expect(details.range).toBe("loopback");
  });

  it("refuses a name when any of its addresses is private", async () => {
    const url = parseCodeUrl("https://code.test/a.js", ["code.test"]);
    const resolveHost = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "10.0.0.7", family: 4 },
    ];
    const { details } = await refusal(resolveAllowedAddress(url, { allowHosts: ["code.test"], resolveHost }));
    expect(details).toMatchObject({ reason: "address", address: "10.0.0.7" });
  });

  it("returns the checked public address to pin", async () => {
    const url = parseCodeUrl("https://code.test/a.js", ["code.test"]);
    const resolveHost = async () => [{ address: "93.184.216.34", family: 4 }];
    await expect(resolveAllowedAddress(url, { allowHosts: ["code.test"], resolveHost })).resolves.toEqual({
      address: "93.184.216.34",
      family: 4,
    });
  });

  it("lets the operator allow private addresses", async () => {
    const url = parseCodeUrl("https://127.0.0.1/", ["127.0.0.1"]);
    await expect(
      resolveAllowedAddress(url, { allowHosts: ["127.0.0.1"], allowPrivateAddresses: true }),
    ).resolves.toEqual({ address: "127.0.0.1", family: 4 });
  });

  it("lets the operator allow one internal address and nothing else", async () => {
    const resolveHost = async (host: string) => [
      { address: host === "code.test" ? "10.0.0.7" : "10.0.0.8", family: 4 },
    ];
    const policy = { allowHosts: ["code.test", "other.test"], allowInternal: ["10.0.0.7"], resolveHost };
    await expect(resolveAllowedAddress(new URL("https://code.test/"), policy)).resolves.toEqual({
      address: "10.0.0.7",
      family: 4,
    });
    const { details } = await refusal(resolveAllowedAddress(new URL("https://other.test/"), policy));
    expect(details).toMatchObject({ reason: "address", address: "10.0.0.8", range: "private" });
  });

  it("refuses a blocked port", async () => {
    const url = parseCodeUrl("https://code.test:25/", ["code.test"]);
    expect((await refusal(resolveAllowedAddress(url, { allowHosts: ["code.test"] }))).details.reason).toBe(
      "port",
    );
  });

  it("reports resolver failures and empty answers as fetch failures", async () => {
    const url = parseCodeUrl("https://code.test/", ["code.test"]);
    const failing = async () => {
      throw new Error("ENOTFOUND");
    };
    expect(
      await refusal(resolveAllowedAddress(url, { allowHosts: ["code.test"], resolveHost: failing })),
    ).toMatchObject({ code: "CODE_FETCH_FAILED", details: { reason: "dns" } });
    expect(
      await refusal(resolveAllowedAddress(url, { allowHosts: ["code.test"], resolveHost: async () => [] })),
    ).toMatchObject({ code: "CODE_FETCH_FAILED", details: { reason: "dns" } });
  });
});
