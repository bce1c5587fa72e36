import { BlockList, isIP } from "node:net";

/**
 * Special-purpose ranges no caller-chosen target may reach unless the operator allows it: the host
 * itself, internal networks, cloud metadata (169.254.169.254, fd00:ec2::254), and addresses that
 * embed an IPv4 address in IPv6 (mapped, compatible, NAT64, 6to4) so the IPv4 checks cannot be
 * sidestepped.
 */
const ranges: [label: string, network: string, prefix: number][] = [
  ["unspecified", "0.0.0.0", 8],
  ["private", "10.0.0.0", 8],
  ["shared (carrier-grade NAT)", "100.64.0.0", 10],
  ["loopback", "127.0.0.0", 8],
  ["link-local", "169.254.0.0", 16],
  ["private", "172.16.0.0", 12],
  ["reserved", "192.0.0.0", 24],
  ["documentation", "192.0.2.0", 24],
  ["private", "192.168.0.0", 16],
  ["benchmarking", "198.18.0.0", 15],
  ["documentation", "198.51.100.0", 24],
  ["documentation", "203.0.113.0", 24],
  ["multicast", "224.0.0.0", 4],
  ["reserved", "240.0.0.0", 4],
  ["loopback", "::1", 128],
  ["unspecified or IPv4-compatible", "::", 96],
  ["IPv4-mapped", "::ffff:0:0", 96],
  ["NAT64", "64:ff9b::", 96],
  ["NAT64", "64:ff9b:1::", 48],
  ["discard", "100::", 64],
  ["documentation", "2001:db8::", 32],
  ["6to4", "2002::", 16],
  ["unique-local", "fc00::", 7],
  ["link-local", "fe80::", 10],
  ["site-local", "fec0::", 10],
  ["multicast", "ff00::", 8],
];

const blockLists = ranges.map(([label, network, prefix]) => {
  const family = isIP(network);
  const list = new BlockList();
  list.addSubnet(network, prefix, family === 6 ? "ipv6" : "ipv4");
  return { label, family, list };
});

/**
 * Names the special-purpose range an IP address belongs to, or `undefined` for a public unicast
 * address. Anything that is not an IP address at all counts as restricted ("not an IP address").
 * IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is matched against the IPv4 ranges first, so it is named
 * after the IPv4 range it reaches.
 */
export function findRestrictedRange(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return "not an IP address";
  const type = family === 6 ? "ipv6" : "ipv4";
  for (const { label, family: rangeFamily, list } of blockLists) {
    // An IPv4 address would match IPv6 ranges through its mapped form (::ffff:a.b.c.d), so IPv4
    // addresses are checked against IPv4 ranges only; IPv6 addresses against both.
    if (family === 4 && rangeFamily === 6) continue;
    if (list.check(address, type)) return label;
  }
  return undefined;
}
