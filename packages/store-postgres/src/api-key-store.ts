import { type ApiKeyRow, type ApiKeyStore, nowIso, toApiKey } from "@agentrt/runtime";
import type pg from "pg";
import { listPage } from "./rows.js";

export function createApiKeyStore(pool: pg.Pool): ApiKeyStore {
  const one = async (sql: string, params: unknown[]) => {
    const { rows } = await pool.query<ApiKeyRow>(sql, params);
    return rows[0] ? toApiKey(rows[0]) : undefined;
  };
  return {
    async create(key) {
      return (await one(
        `INSERT INTO api_keys (id, name, prefix, hash, scopes, rate_limits, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [
          key.id,
          key.name,
          key.prefix,
          key.hash,
          JSON.stringify(key.scopes),
          JSON.stringify(key.rateLimits ?? {}),
          nowIso(),
        ],
      ))!;
    },
    update: (id, patch) =>
      one(
        `UPDATE api_keys SET name = coalesce($2, name), scopes = coalesce($3, scopes),
           rate_limits = coalesce($4, rate_limits)
         WHERE id = $1 RETURNING *`,
        [
          id,
          patch.name ?? null,
          patch.scopes ? JSON.stringify(patch.scopes) : null,
          patch.rateLimits ? JSON.stringify(patch.rateLimits) : null,
        ],
      ),
    // `hash` is UNIQUE, so this is an index lookup on every authenticated request.
    findByHash: (hash) => one("SELECT * FROM api_keys WHERE hash = $1", [hash]),
    get: (id) => one("SELECT * FROM api_keys WHERE id = $1", [id]),
    list: (page) => listPage(pool, "api_keys", {}, page, toApiKey),
    async delete(id) {
      return ((await pool.query("DELETE FROM api_keys WHERE id = $1", [id])).rowCount ?? 0) > 0;
    },
    async count() {
      const { rows } = await pool.query<{ count: number }>("SELECT count(*)::int AS count FROM api_keys");
      return rows[0]!.count;
    },
    async touch(id, at) {
      await pool.query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2", [at, id]);
    },
  };
}
