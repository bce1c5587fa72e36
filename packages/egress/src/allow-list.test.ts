import { describe, expect, it } from "vitest";
import { normaliseHost, parseAllowList, validateAllowEntry } from "./allow-list.js";

describe("validateAllowEntry", () => {
  it.each([
    "hooks.internal",
    "*.svc.cluster.local",
    "localhost",
    "10.0.0.7",
    "::1",
    "[::1]",
    "10.0.0.0/8",
    "fd00::/8",
    "0x7f.1",
    "0.0.0.0/0",
    "::/0",
  ])("accepts %s", (entry) => {
    expect(validateAllowEntry(entry)).toBeUndefined();
  });

  it.each([
    ["", /empty/],
    ["  ", /empty/],
    ["10.0.0.0/33", /not a CIDR range/],
    ["fd00::/129", /not a CIDR range/],
    ["hooks/8", /not a CIDR range/],
    ["10.0.0.0/x", /not a CIDR range/],
    ["hooks.internal:8080", /ports are not part of an entry/],
    ["user@hooks.internal", /not a host name/],
    ["http://hooks.internal", /not a CIDR range/],
    ["*.", /not a host name/],
  ])("refuses %j", (entry, message) => {
    expect(validateAllowEntry(entry)).toMatch(message);
  });
});

describe("parseAllowList", () => {
  it("throws on the first bad entry", () => {
    expect(() => parseAllowList(["10.0.0.0/8", "nope:1"])).toThrow(/egress allow-list: "nope:1"/);
  });

  it("matches names exactly, case-insensitively, and subdomains of wildcard entries only", () => {
    const list = parseAllowList(["Hooks.Internal.", "*.svc.cluster.local"]);
    expect(list.allowsHost("hooks.internal")).toBe(true);
    expect(list.allowsHost("HOOKS.internal.")).toBe(true);
    expect(list.allowsHost("evil-hooks.internal")).toBe(false);
    expect(list.allowsHost("a.b.svc.cluster.local")).toBe(true);
    expect(list.allowsHost("svc.cluster.local")).toBe(false);
    expect(list.allowsHost("badsvc.cluster.local")).toBe(false);
    // A name entry says nothing about addresses.
    expect(list.allowsAddress("10.0.0.1")).toBe(false);
    expect(list.allowsAddress("hooks.internal")).toBe(false);
  });

  it("matches addresses and ranges in any spelling, IPv4-mapped forms included", () => {
    const list = parseAllowList(["127.0.0.1", "10.1.0.0/16", "fd00::/8", "[::1]"]);
    expect(list.allowsAddress("127.0.0.1")).toBe(true);
    expect(list.allowsAddress("127.0.0.2")).toBe(false);
    expect(list.allowsAddress("::ffff:127.0.0.1")).toBe(true);
    expect(list.allowsAddress("10.1.200.3")).toBe(true);
    expect(list.allowsAddress("10.2.0.1")).toBe(false);
    expect(list.allowsAddress("fd00:ec2::254")).toBe(true);
    expect(list.allowsAddress("::1")).toBe(true);
    expect(list.allowsHost("[::1]")).toBe(true);
    expect(list.allowsHost("127.0.0.1")).toBe(true);
    expect(list.allowsHost("localhost")).toBe(false);
    expect(parseAllowList(["0x7f.1"]).allowsAddress("127.0.0.1")).toBe(true);
  });

  it("allows nothing when empty", () => {
    const list = parseAllowList([]);
    expect(list.allowsHost("localhost")).toBe(false);
    expect(list.allowsAddress("127.0.0.1")).toBe(false);
  });
});

describe("normaliseHost", () => {
  it("drops brackets, case and the root dot", () => {
    expect(normaliseHost("[::1]")).toBe("::1");
    expect(normaliseHost("Example.COM.")).toBe("example.com");
  });
});
