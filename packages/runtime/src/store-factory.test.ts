import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "./memory-store.js";
import { openStore, parseStoreLocation } from "./store-factory.js";

describe("parseStoreLocation", () => {
  it("defaults to the embedded SQLite file in the data dir", () => {
    expect(parseStoreLocation(undefined, "/data")).toEqual({ kind: "sqlite", path: "/data/agentrt.db" });
    expect(parseStoreLocation("", "/data")).toEqual({ kind: "sqlite", path: "/data/agentrt.db" });
  });

  it("reads sqlite, postgres and memory URLs", () => {
    expect(parseStoreLocation("sqlite:./x.db", "/d")).toEqual({ kind: "sqlite", path: resolve("x.db") });
    expect(parseStoreLocation("sqlite:///abs/x.db", "/d")).toEqual({ kind: "sqlite", path: "/abs/x.db" });
    expect(parseStoreLocation("sqlite::memory:", "/d")).toEqual({ kind: "sqlite", path: ":memory:" });
    expect(parseStoreLocation("postgres://u@h/db", "/d")).toEqual({
      kind: "postgres",
      url: "postgres://u@h/db",
    });
    expect(parseStoreLocation("postgresql://h/db", "/d")).toMatchObject({ kind: "postgres" });
    expect(parseStoreLocation("memory:", "/d")).toEqual({ kind: "memory" });
  });

  it("refuses URLs it does not know, saying which it does", () => {
    for (const url of ["mysql://h/db", "sqlite:", "file.db"]) {
      expect(() => parseStoreLocation(url, "/d")).toThrow(/sqlite:<file>, postgres:\/\/… or memory:/);
    }
  });
});

describe("openStore", () => {
  it("opens a location with the driver registered for its kind, or says none is installed", async () => {
    const store = await openStore({ kind: "memory" }, { memory: () => createMemoryStore() });
    expect(store.kind).toBe("memory");
    await expect(
      openStore({ kind: "postgres", url: "postgres://h/db" }, { memory: createMemoryStore }),
    ).rejects.toThrow("this server has no postgres store installed (available: memory)");
  });
});
