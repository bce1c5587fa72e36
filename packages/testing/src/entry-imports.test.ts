import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { entryImports } from "./entry-imports.js";

describe("entryImports", () => {
  it("lists what the entry's own files import, statically and dynamically at load", () => {
    const dir = mkdtempSync(join(tmpdir(), "entry-imports-"));
    writeFileSync(
      join(dir, "index.js"),
      'import "node:path";\nimport "./chunk.js";\nexport const lazy = () => import("node:zlib");\n',
    );
    writeFileSync(join(dir, "chunk.js"), 'import "node:os";\n');
    try {
      expect(entryImports(dir).sort()).toEqual(["./chunk.js", "node:os", "node:path"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
