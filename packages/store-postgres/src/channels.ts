import { createHash } from "node:crypto";

/** Channel names are identifiers (63 bytes at most); a hash keeps any schema name short enough. */
export function channelFor(schema: string, topic: string): string {
  return `agentrt_${topic}_${createHash("sha256").update(schema).digest("hex").slice(0, 16)}`;
}
