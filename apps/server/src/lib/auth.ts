import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { AgentrtError, ErrorCode } from "@agentrt/core";
import {
  type ApiKeyRateLimits,
  type ApiKeyRecord,
  type ApiKeyScope,
  type ApiKeyStore,
  createId,
  nowIso,
} from "@agentrt/runtime";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./types.js";

const KEY_PREFIX = "art_";

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** A new random key; only its hash is stored, the key itself is shown once. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString("base64url");
}

/** admin ⊇ invoke ⊇ read. */
const GRANTS: Record<ApiKeyScope, ReadonlySet<ApiKeyScope>> = {
  admin: new Set(["admin", "invoke", "read"]),
  invoke: new Set(["invoke", "read"]),
  read: new Set(["read"]),
};

export function hasScope(scopes: readonly ApiKeyScope[], required: ApiKeyScope): boolean {
  return scopes.some((s) => GRANTS[s].has(required));
}

export async function createApiKey(
  store: ApiKeyStore,
  name: string,
  scopes: ApiKeyScope[],
  key: string = generateApiKey(),
  rateLimits: ApiKeyRateLimits = {},
): Promise<{ record: ApiKeyRecord; key: string }> {
  const record = await store.create({
    id: createId("key"),
    name,
    prefix: key.slice(0, 12),
    hash: hashApiKey(key),
    scopes,
    rateLimits,
  });
  return { record, key };
}

/**
 * Resolves bearer keys with a small cache so the hot path costs one hash, not a store query.
 * `forget` drops a key whose record changed (wired to the runtime's invalidations, so a change on
 * any node reaches this one). With `maxAgeMs` (a store other nodes write) an entry is read again
 * once that old, which bounds how long a lost change notification keeps a revoked key working.
 */
export function createKeyResolver(
  store: ApiKeyStore,
  options: { maxAgeMs?: number | undefined; touchEveryMs?: number } = {},
) {
  const { maxAgeMs = Number.POSITIVE_INFINITY, touchEveryMs = 60_000 } = options;
  const cache = new Map<string, { record: ApiKeyRecord; readAt: number }>();
  const lastTouch = new Map<string, number>();
  /** Bumped by every `forget`: a read that was in flight meanwhile may have seen the old record. */
  let generation = 0;
  return {
    async resolve(key: string): Promise<ApiKeyRecord | undefined> {
      const hash = hashApiKey(key);
      const now = Date.now();
      let record: ApiKeyRecord | undefined;
      const cached = cache.get(hash);
      if (cached && now - cached.readAt <= maxAgeMs) record = cached.record;
      else {
        const readFrom = generation;
        record = await store.findByHash(hash);
        if (!record) {
          cache.delete(hash);
          return undefined;
        }
        if (readFrom === generation) {
          if (cache.size > 10_000) cache.clear();
          cache.set(hash, { record, readAt: now });
        }
      }
      // Constant-time compare of the stored hash guards against a cache poisoned by a collision bug.
      if (!timingSafeEqual(Buffer.from(record.hash), Buffer.from(hash))) return undefined;
      if (now - (lastTouch.get(record.id) ?? 0) > touchEveryMs) {
        lastTouch.set(record.id, now);
        void store.touch(record.id, nowIso()).catch(() => {});
      }
      return record;
    },
    forget(id: string): void {
      generation++;
      for (const [hash, entry] of cache) if (entry.record.id === id) cache.delete(hash);
      lastTouch.delete(id);
    },
  };
}
export type KeyResolver = ReturnType<typeof createKeyResolver>;

/** Requires a valid bearer key on every request it guards; 401 otherwise. */
export function authenticate(keys: KeyResolver): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const record = match ? await keys.resolve(match[1]!) : undefined;
    if (!record) {
      c.header("www-authenticate", 'Bearer realm="agentrt"');
      throw new AgentrtError(
        ErrorCode.UNAUTHORIZED,
        match
          ? "The API key is not valid (revoked or mistyped)"
          : "Send an API key as `Authorization: Bearer <key>`",
      );
    }
    c.set("apiKey", record);
    await next();
  };
}

/** Route-level scope check, then the key's rate limit for that scope class; runs after `authenticate`. */
export function requireScope(scope: ApiKeyScope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.get("apiKey");
    if (!key || !hasScope(key.scopes, scope)) {
      throw new AgentrtError(
        ErrorCode.FORBIDDEN,
        `This route needs an API key with scope "${scope}" (this key has: ${key?.scopes.join(", ") ?? "none"})`,
      );
    }
    await c.get("keyLimiter")?.check(c, key, scope);
    await next();
  };
}
