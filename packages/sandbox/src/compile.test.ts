import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createPythonPackageDir } from "../test/python-fixtures.js";
import { compileUserCode } from "./compile.js";

const compile = (source: string, extra: Partial<Parameters<typeof compileUserCode>[0]> = {}) =>
  compileUserCode({ language: "typescript", source, entryPoint: "main", ...extra });

/** A real package directory with one installed library, as an operator would provide. */
function createInstallDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "agentrt-sandbox-deps-"));
  const lib = join(dir, "node_modules", "tiny-lib");
  mkdirSync(lib, { recursive: true });
  writeFileSync(
    join(lib, "package.json"),
    JSON.stringify({ name: "tiny-lib", version: "1.0.0", main: "index.js" }),
  );
  writeFileSync(
    join(lib, "index.js"),
    "const helper = require('./helper.js');\nexports.double = (n) => helper.twice(n);\n",
  );
  writeFileSync(join(lib, "helper.js"), "exports.twice = (n) => n * 2;\n");
  writeFileSync(join(dir, "secret.js"), "export const secret = 'host file';\n");
  return dir;
}

describe("compileUserCode: JavaScript and TypeScript", () => {
  it("strips types and bundles to a script defining the module function, with its sha256", async () => {
    const compiled = await compile("export function main(input: { n: number }): number { return input.n; }");
    expect(compiled).toMatchObject({ language: "typescript", entryPoint: "main" });
    expect(compiled.code).toMatch(/^function __agentrt_module\(\)/);
    expect(compiled.code).not.toMatch(/: number/);
    expect(compiled.sha256).toMatch(/^[0-9a-f]{64}$/);
    const again = await compile("export function main(input: { n: number }): number { return input.n; }");
    expect(again.sha256).toBe(compiled.sha256);
  });

  it("reports syntax errors as CODE_COMPILE_ERROR with line and column", async () => {
    const error = await compile("export const a = 1;\nexport function main( {\n").catch((e) => e);
    expect(error).toMatchObject({ code: "CODE_COMPILE_ERROR", details: { line: 3, column: 1 } });
    expect(error.issues[0]).toMatchObject({
      path: ["content"],
      message: expect.stringMatching(/^line 3, column 1: /),
    });
  });

  it("reports a missing entry point with the exports it found", async () => {
    const error = await compile("export function run() {}", { entryPoint: "handler" }).catch((e) => e);
    expect(error).toMatchObject({
      code: "ENTRYPOINT_NOT_FOUND",
      details: { entryPoint: "handler", available: ["run"] },
    });
    await expect(compile("export const x = 1;")).rejects.toMatchObject({ code: "ENTRYPOINT_NOT_FOUND" });
    await expect(compile("export function main() {}", { entryPoint: "not-a-name" })).rejects.toMatchObject({
      code: "ENTRYPOINT_NOT_FOUND",
    });
  });

  it("falls back from main to a default export, including CommonJS", async () => {
    await expect(compile("export default () => 1;")).resolves.toMatchObject({ entryPoint: "default" });
    await expect(
      compileUserCode({ language: "javascript", source: "module.exports = () => 1;", entryPoint: "main" }),
    ).resolves.toMatchObject({
      entryPoint: "default",
    });
  });

  it("rejects top-level await, which a script cannot express", async () => {
    await expect(compile("await 1;\nexport function main() {}")).rejects.toMatchObject({
      code: "CODE_COMPILE_ERROR",
    });
  });

  it("bundles declared, allow-listed packages, including their own relative imports", async () => {
    const resolveDir = createInstallDir();
    const compiled = await compile(
      "import { double } from 'tiny-lib';\nexport function main(n: number) { return double(n); }",
      {
        dependencies: ["tiny-lib"],
        allowedDependencies: ["tiny-lib", "other"],
        resolveDir,
      },
    );
    expect(compiled.code).toMatch(/n \* 2/);
    expect(compiled.code).not.toMatch(/require\(["']/);
  });

  it("refuses dependencies off the allow-list, undeclared imports and host files", async () => {
    const resolveDir = createInstallDir();
    const refuse = (source: string, dependencies: string[]) =>
      compile(source, { dependencies, allowedDependencies: ["tiny-lib"], resolveDir });
    const offList = await refuse("export function main() {}", ["left-pad"]).catch((e) => e);
    expect(offList).toMatchObject({
      code: "DEPENDENCY_NOT_ALLOWED",
      details: { dependencies: ["left-pad"] },
    });
    expect(offList.issues[0].path).toEqual(["dependencies"]);
    await expect(refuse("import 'tiny-lib';\nexport function main() {}", [])).rejects.toMatchObject({
      code: "DEPENDENCY_NOT_ALLOWED",
    });
    await expect(
      refuse("import { secret } from './secret.js';\nexport function main() { return secret; }", [
        "tiny-lib",
      ]),
    ).rejects.toMatchObject({
      code: "DEPENDENCY_NOT_ALLOWED",
      details: { dependencies: ["./secret.js"] },
    });
    await expect(
      refuse(
        "import { secret } from 'tiny-lib/../../secret.js';\nexport function main() { return secret; }",
        ["tiny-lib"],
      ),
    ).rejects.toMatchObject({
      code: "DEPENDENCY_NOT_ALLOWED",
    });
  });
});

describe("compileUserCode: Python", () => {
  const py = (source: string, entryPoint = "main") =>
    compileUserCode({ language: "python", source, entryPoint });

  it("accepts a module with a top-level def or async def entry point, unchanged", async () => {
    const source = "import json\n\nasync def main(input, ctx):\n    return input\n";
    await expect(py(source)).resolves.toMatchObject({ language: "python", code: source, entryPoint: "main" });
  });

  it("reports syntax errors with line and column", async () => {
    const error = await py("def main(input, ctx):\n    return (\n\nx = 1 +\n").catch((e) => e);
    expect(error).toMatchObject({ code: "CODE_COMPILE_ERROR", details: { line: 2 } });
  });

  it("requires the entry point to be a top-level function", async () => {
    const error = await py("class A:\n    def main(self):\n        pass\nmain = 1\n").catch((e) => e);
    expect(error).toMatchObject({ code: "ENTRYPOINT_NOT_FOUND", details: { available: [] } });
  });

  it("checks dependencies against the allow-list", async () => {
    await expect(
      compileUserCode({
        language: "python",
        source: "def main(i, c): pass",
        entryPoint: "main",
        dependencies: ["numpy"],
      }),
    ).rejects.toMatchObject({ code: "DEPENDENCY_NOT_ALLOWED" });
  });

  it("bundles declared pure-Python packages and refuses imports of anything else", async () => {
    const resolveDir = createPythonPackageDir();
    const options = {
      language: "python" as const,
      source:
        "import json, tinyfmt\nfrom tinyfmt import _impl\nfrom . import sibling\ndef main(i, c): pass\n",
      entryPoint: "main",
      allowedDependencies: ["tinyfmt"],
      resolveDir,
    };
    const compiled = await compileUserCode({ ...options, dependencies: ["tinyfmt"] });
    expect(compiled.pythonPackages?.modules).toEqual(["tiny_dep", "tinyfmt"]);
    expect(compiled.code).toBe(options.source);
    await expect(compileUserCode(options)).rejects.toMatchObject({
      code: "DEPENDENCY_NOT_ALLOWED",
      issues: [{ path: ["dependencies"], message: expect.stringMatching(/"tinyfmt" is imported/) }],
    });
    await expect(
      compileUserCode({ ...options, source: "import numpy\nimport __main__\ndef main(i, c): pass\n" }),
    ).rejects.toMatchObject({ details: { dependencies: ["__main__", "numpy"] } });
  });
});
