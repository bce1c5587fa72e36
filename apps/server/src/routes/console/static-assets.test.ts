import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtAssetDir, createAssetReader } from "./static-assets.js";

describe("createAssetReader", () => {
  const root = mkdtempSync(join(tmpdir(), "agentrt-assets-"));
  const dir = join(root, "console");
  mkdirSync(dir);
  writeFileSync(join(dir, "app.js"), "ok");
  writeFileSync(join(dir, "notes.md"), "unknown type");
  writeFileSync(join(root, "secret.js"), "outside");
  const read = createAssetReader(dir);

  it("reads files of its directory with their content type", () => {
    expect(read("app.js")).toMatchObject({ type: "text/javascript; charset=utf-8" });
    expect(new TextDecoder().decode(read("app.js")!.body)).toBe("ok");
  });

  it("refuses paths that leave the directory, unknown types and missing files", () => {
    expect(read("../secret.js")).toBeUndefined();
    expect(read("a/../../secret.js")).toBeUndefined();
    expect(read("notes.md")).toBeUndefined();
    expect(read("missing.js")).toBeUndefined();
  });

  it("finds the package's dist from the sources", () => {
    expect(builtAssetDir("console")).toBe(join(import.meta.dirname, "..", "..", "..", "dist", "console"));
  });
});
