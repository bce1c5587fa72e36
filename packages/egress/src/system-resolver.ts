import { lookup } from "node:dns/promises";
import type { ResolvedAddress } from "./types.js";

/** Every address the system resolver (`/etc/hosts`, then DNS) has for a name, in its order. */
export function resolveWithSystem(hostname: string): Promise<ResolvedAddress[]> {
  return lookup(hostname, { all: true, order: "verbatim" });
}
