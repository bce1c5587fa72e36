import { join, resolve } from "node:path";
import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { Store } from "./store.js";

/** Where a store lives, from `AGENTRT_DATABASE_URL`. */
export type StoreLocation =
  | { kind: "sqlite" /** database file, or `:memory:` */; path: string }
  | { kind: "postgres"; url: string }
  | { kind: "memory" };

/** Opens one kind of store; the server registers a driver per store package it ships with. */
export type StoreDrivers = Partial<{
  [K in StoreLocation["kind"]]: (location: Extract<StoreLocation, { kind: K }>) => Store | Promise<Store>;
}>;

/**
 * Reads a database URL: `sqlite:<file>` (or `sqlite::memory:`), `postgres://…` / `postgresql://…`,
 * `memory:`. Without one, the embedded default: `<dataDir>/agentrt.db`.
 */
export function parseStoreLocation(url: string | undefined, dataDir: string): StoreLocation {
  if (url === undefined || url === "") return { kind: "sqlite", path: resolve(join(dataDir, "agentrt.db")) };
  if (url === "memory:") return { kind: "memory" };
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return { kind: "postgres", url };
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === ":memory:") return { kind: "sqlite", path };
    if (path !== "") return { kind: "sqlite", path: resolve(path) };
  }
  throw new AgentrtError(
    ErrorCode.BAD_REQUEST,
    `AGENTRT_DATABASE_URL ${JSON.stringify(url)} is not a database URL agentrt knows: use sqlite:<file>, postgres://… or memory:`,
  );
}

/** Opens the store a location names, with the driver registered for its kind. */
export async function openStore(location: StoreLocation, drivers: StoreDrivers): Promise<Store> {
  const open = drivers[location.kind] as ((l: StoreLocation) => Store | Promise<Store>) | undefined;
  if (!open) {
    throw new AgentrtError(
      ErrorCode.BAD_REQUEST,
      `this server has no ${location.kind} store installed (available: ${Object.keys(drivers).join(", ")})`,
    );
  }
  return open(location);
}
