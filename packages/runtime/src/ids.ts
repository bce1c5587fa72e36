import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower-case
const TAIL_LENGTH = 16;

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

let lastTime = -1;
const tail = new Uint8Array(TAIL_LENGTH);

/** Random bytes drawn 4 KiB at a time: one call into the CSPRNG per 256 ids rather than per id. */
const pool = new Uint8Array(4096);
let pooled = pool.length;

function randomTail(): Uint8Array {
  if (pooled + TAIL_LENGTH > pool.length) {
    randomFillSync(pool);
    pooled = 0;
  }
  pooled += TAIL_LENGTH;
  return pool.subarray(pooled - TAIL_LENGTH, pooled);
}

/** Within one millisecond the tail counts up (as ULID's monotonic mode), so ids keep creation order. */
function nextTail(time: number): string {
  if (time === lastTime) {
    let i = TAIL_LENGTH - 1;
    while (i >= 0 && tail[i] === 31) tail[i--] = 0;
    if (i >= 0) tail[i]! += 1;
  } else {
    lastTime = time;
    const random = randomTail();
    // The top bit stays clear so increments within a millisecond have room before wrapping.
    for (let i = 0; i < TAIL_LENGTH; i++) tail[i] = random[i]! % (i === 0 ? 16 : 32);
  }
  let out = "";
  for (const digit of tail) out += ALPHABET[digit];
  return out;
}

/**
 * Creates a prefixed, time-sortable id such as `agt_01jx3k9w2a7f...`: ids sort by creation order
 * within this process, so they double as stable pagination cursors.
 */
export function createId(prefix: string): string {
  const time = Date.now();
  return `${prefix}_${encodeTime(time)}${nextTail(time)}`;
}

export function nowIso(): string {
  return new Date().toISOString();
}
