import { BlockList, isIP } from "node:net";

/** The operator's internal destinations for one purpose, parsed once. */
export interface AllowList {
  /** The URL's host is an allowed name (exact, or a subdomain of a `*.` entry) or allowed address. */
  allowsHost(hostname: string): boolean;
  /** The address is an allowed one or inside an allowed range. */
  allowsAddress(address: string): boolean;
}

/** Lower-cased host without IPv6 brackets or the DNS root dot, as URL, DNS and entries agree on. */
export function normaliseHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
}

const HOST_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

type Entry =
  | { kind: "name"; name: string }
  | { kind: "address"; address: string; family: 4 | 6 }
  | { kind: "range"; network: string; prefix: number; family: 4 | 6 };

/** An IP spelled any way the URL parser accepts (`0x7f.1`, `[::ffff:7f00:1]`), in canonical form. */
function canonicalAddress(text: string): string | undefined {
  const host = normaliseHost(text);
  if (isIP(host)) return host;
  try {
    const parsed = normaliseHost(new URL(`http://${host.includes(":") ? `[${host}]` : host}/`).hostname);
    return isIP(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function parseEntry(raw: string): Entry | string {
  const text = raw.trim().toLowerCase();
  if (text === "") return "an entry is empty";
  const slash = text.indexOf("/");
  if (slash >= 0) {
    const network = canonicalAddress(text.slice(0, slash));
    const prefixText = text.slice(slash + 1);
    const family = network === undefined ? 0 : isIP(network);
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    if (family === 0 || !(prefix <= (family === 4 ? 32 : 128))) {
      return `"${raw}" is not a CIDR range (like 10.0.0.0/8 or fd00::/8)`;
    }
    return { kind: "range", network: network!, prefix, family: family as 4 | 6 };
  }
  const address = canonicalAddress(text);
  if (address !== undefined) return { kind: "address", address, family: isIP(address) as 4 | 6 };
  const name = normaliseHost(text);
  if (!HOST_NAME.test(name)) {
    return `"${raw}" is not a host name, IP address or CIDR range (ports are not part of an entry)`;
  }
  return { kind: "name", name };
}

/** Why an allow-list entry is unusable, or `undefined` when it is fine (for settings validation). */
export function validateAllowEntry(entry: string): string | undefined {
  const parsed = parseEntry(entry);
  return typeof parsed === "string" ? parsed : undefined;
}

/** Parses entries (names, addresses, CIDR ranges); throws a `TypeError` naming the first bad one. */
export function parseAllowList(entries: readonly string[]): AllowList {
  const names: string[] = [];
  const addresses = new BlockList();
  for (const raw of entries) {
    const entry = parseEntry(raw);
    if (typeof entry === "string") throw new TypeError(`egress allow-list: ${entry}`);
    const type = entry.kind === "name" ? undefined : entry.family === 6 ? "ipv6" : "ipv4";
    if (entry.kind === "name") names.push(entry.name);
    else if (entry.kind === "address") addresses.addAddress(entry.address, type);
    else addresses.addSubnet(entry.network, entry.prefix, type);
  }
  const allowsAddress = (address: string): boolean => {
    const family = isIP(address);
    return family !== 0 && addresses.check(address, family === 6 ? "ipv6" : "ipv4");
  };
  return {
    allowsAddress,
    allowsHost(hostname) {
      const host = normaliseHost(hostname);
      if (isIP(host)) return allowsAddress(host);
      return names.some((name) => (name.startsWith("*.") ? host.endsWith(name.slice(1)) : host === name));
    },
  };
}
