import { describe, expect, it } from "vitest";
import { findRestrictedRange } from "./address-ranges.js";

describe("findRestrictedRange", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:169.254.169.254", "link-local"],
    ["100.64.0.1", "shared (carrier-grade NAT)"],
    ["100.127.255.254", "shared (carrier-grade NAT)"],
    ["169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["fd00:ec2::254", "unique-local"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["fec0::1", "site-local"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified or IPv4-compatible"],
    ["::127.0.0.1", "unspecified or IPv4-compatible"],
    ["::a9fe:a9fe", "unspecified or IPv4-compatible"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["192.0.0.8", "reserved"],
    ["198.18.0.1", "benchmarking"],
    ["192.0.2.1", "documentation"],
    ["2001:db8::1", "documentation"],
    ["100::1", "discard"],
    ["64:ff9b::a00:1", "NAT64"],
    ["64:ff9b:1::1", "NAT64"],
    ["2002:7f00:1::", "6to4"],
    ["::ffff:8.8.8.8", "IPv4-mapped"],
    ["localhost", "not an IP address"],
  ])("refuses %s (%s)", (address, label) => {
    expect(findRestrictedRange(address)).toBe(label);
  });

  it.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111"])(
    "accepts the public address %s",
    (address) => {
      expect(findRestrictedRange(address)).toBeUndefined();
    },
  );
});
