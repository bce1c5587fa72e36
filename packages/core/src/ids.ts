import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower-case

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/**
 * Creates a prefixed, time-sortable id such as `agt_01jx3k9w2a7f...`: ids sort by creation time,
 * so they double as stable pagination cursors.
 */
export function createId(prefix: string): string {
  const random = randomBytes(16);
  let tail = "";
  for (const byte of random) tail += ALPHABET[byte % 32];
  return `${prefix}_${encodeTime(Date.now())}${tail}`;
}

export function nowIso(): string {
  return new Date().toISOString();
}
