import type { DatabaseSync } from "node:sqlite";
import { type ApiKeyRow, type ApiKeyStore, nowIso, toApiKey } from "@agentrt/runtime";
import { createListQuery } from "./list-query.js";
import { pageLimit, toPage } from "./pagination.js";

export function createApiKeyStore(db: DatabaseSync): ApiKeyStore {
  const insertKey = db.prepare(`
    INSERT INTO api_keys (id, name, prefix, hash, scopes, rate_limits, created_at)
    VALUES ($id, $name, $prefix, $hash, $scopes, $rateLimits, $createdAt)
    RETURNING *`);
  const updateKey = db.prepare(`
    UPDATE api_keys
    SET name = coalesce($name, name), scopes = coalesce($scopes, scopes),
        rate_limits = coalesce($rateLimits, rate_limits)
    WHERE id = $id
    RETURNING *`);
  // `hash` is UNIQUE, so this is an index lookup on every authenticated request.
  const selectByHash = db.prepare("SELECT * FROM api_keys WHERE hash = ?");
  const selectKey = db.prepare("SELECT * FROM api_keys WHERE id = ?");
  const deleteKey = db.prepare("DELETE FROM api_keys WHERE id = ?");
  const countKeys = db.prepare("SELECT count(*) AS count FROM api_keys");
  const touchKey = db.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?");
  const listKeys = createListQuery(db, "api_keys");

  return {
    async create(key) {
      const row = insertKey.get({
        id: key.id,
        name: key.name,
        prefix: key.prefix,
        hash: key.hash,
        scopes: JSON.stringify(key.scopes),
        rateLimits: JSON.stringify(key.rateLimits ?? {}),
        createdAt: nowIso(),
      });
      return toApiKey(row as unknown as ApiKeyRow);
    },

    async findByHash(hash) {
      const row = selectByHash.get(hash) as ApiKeyRow | undefined;
      return row ? toApiKey(row) : undefined;
    },

    async get(id) {
      const row = selectKey.get(id) as ApiKeyRow | undefined;
      return row ? toApiKey(row) : undefined;
    },

    async update(id, patch) {
      const row = updateKey.get({
        id,
        name: patch.name ?? null,
        scopes: patch.scopes ? JSON.stringify(patch.scopes) : null,
        rateLimits: patch.rateLimits ? JSON.stringify(patch.rateLimits) : null,
      }) as ApiKeyRow | undefined;
      return row ? toApiKey(row) : undefined;
    },

    async list(page) {
      const rows = listKeys({}, page) as ApiKeyRow[];
      return toPage(rows.map(toApiKey), pageLimit(page.limit), (key) => key.id);
    },

    async delete(id) {
      return deleteKey.run(id).changes > 0;
    },

    async count() {
      return (countKeys.get() as { count: number }).count;
    },

    async touch(id, at) {
      touchKey.run(at, id);
    },
  };
}
