import { describe, expect, it } from "vitest";
import { createPythonPackageDir } from "../test/python-fixtures.js";
import { collectPythonPackages, normalizeDistName } from "./python-packages.js";

const dir = createPythonPackageDir();
const fileText = (bundle: { files: Record<string, string> }, path: string) =>
  Buffer.from(bundle.files[path] ?? "", "base64").toString("utf8");

describe("collectPythonPackages", () => {
  it("normalises distribution names as PEP 503 does", () => {
    expect(normalizeDistName("Tiny_Dep.x")).toBe("tiny-dep-x");
  });

  it("takes a distribution's files from RECORD and follows what it requires", async () => {
    const bundle = await collectPythonPackages(dir, ["TinyFmt"]);
    expect(Object.keys(bundle.files).sort()).toEqual([
      "tiny_dep-2.0.dist-info/METADATA",
      "tiny_dep.py",
      "tinyfmt-1.0.dist-info/METADATA",
      "tinyfmt/__init__.py",
      "tinyfmt/_impl.py",
      "tinyfmt/data.txt",
    ]);
    expect(bundle.modules).toEqual(["tiny_dep", "tinyfmt"]);
    expect(fileText(bundle, "tinyfmt/data.txt")).toBe("tinyfmt data\n");
    expect(bundle.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await collectPythonPackages(dir, ["tinyfmt"])).sha256).toBe(bundle.sha256);
  });

  it("finds a package without metadata by its import name, skipping bytecode caches", async () => {
    const bundle = await collectPythonPackages(dir, ["loose"]);
    expect(Object.keys(bundle.files)).toEqual(["loose/__init__.py"]);
    expect(bundle.modules).toEqual(["loose"]);
  });

  it("refuses compiled extensions, missing packages, a missing directory and oversized bundles", async () => {
    await expect(collectPythonPackages(dir, ["native"])).rejects.toMatchObject({
      code: "DEPENDENCY_NOT_ALLOWED",
      issues: [{ path: ["dependencies"], message: expect.stringMatching(/not a pure-Python package/) }],
    });
    await expect(collectPythonPackages(dir, ["nowhere"])).rejects.toMatchObject({
      message: expect.stringMatching(/not installed/),
    });
    await expect(collectPythonPackages(undefined, ["tinyfmt"])).rejects.toMatchObject({
      message: expect.stringMatching(/no Python package directory/),
    });
    await expect(collectPythonPackages(`${dir}/missing`, ["tinyfmt"])).rejects.toMatchObject({
      message: expect.stringMatching(/does not exist/),
    });
    await expect(collectPythonPackages(dir, ["tinyfmt"], 40)).rejects.toMatchObject({
      message: expect.stringMatching(/larger than 40 bytes/),
    });
  });
});
