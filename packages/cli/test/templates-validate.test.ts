import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error plain JS fixture helper shared with core's and the server's tests
import { createFixtureHost } from "../../../fixtures/templates/create-host.mjs";
import { runCli } from "../src/cli.js";
import { captureIo } from "./capture-io.js";
import { cliDir } from "./workspace-deps.js";

const host = createFixtureHost({ resolveFrom: cliDir }) as string;
afterAll(() => rmSync(host, { recursive: true, force: true }));

const validate = async (...args: string[]) => {
  const io = captureIo(host);
  const code = await runCli(["templates", "validate", ...args], io);
  return { code, out: io.out, err: io.err };
};

describe("agentrt templates validate", () => {
  it("passes an installed template given by package name, with --config and --input", async () => {
    const result = await validate(
      "agentrt-template-echo",
      "--config",
      '{"greeting":"hi"}',
      "--input",
      '"there"',
    );
    expect(result.code, result.out + result.err).toBe(0);
    expect(result.out).toContain("✓ runs to well-formed events with exactly one output");
    expect(result.out).toContain("0 failed");
  });

  it("reports every check as JSON and fails (exit 1) when one fails", async () => {
    const result = await validate(
      "agentrt-template-echo",
      "--config",
      '{"repeat":99}',
      "--input",
      '"x"',
      "--json",
    );
    expect(result.code).toBe(1);
    const report = JSON.parse(result.out);
    expect(report.ok).toBe(false);
    const failed = report.checks.filter((c: { ok: boolean }) => !c.ok);
    expect(failed[0]).toMatchObject({
      name: "accepts the config",
      message: expect.stringContaining("repeat"),
    });
  });

  it("stops at the load step for incompatible and broken packages", async () => {
    const future = await validate("agentrt-template-future", "--config", "{}", "--input", "1");
    expect(future.code).toBe(1);
    expect(future.out).toContain("✗ package.json declares a template compatible with this core");
    expect(future.out).toContain("requires @agentrt/core API ^2.0.0");
    const broken = await validate("agentrt-template-broken", "--config", "{}", "--input", "1");
    expect(broken.code).toBe(1);
    expect(broken.out).toContain("✗ its entry exports a template matching package.json");
  });

  it("fails for packages that are not templates or not installed", async () => {
    const plain = await validate("zod", "--config", "{}", "--input", "1");
    expect(plain.code).toBe(1);
    expect(plain.out).toContain("not a template package");
    const missing = await validate("agentrt-template-missing");
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("TEMPLATE_NOT_FOUND");
  });

  it("needs a config and an input (usage error, exit 2)", async () => {
    const result = await validate("agentrt-template-echo", "--config", "{}");
    expect(result.code).toBe(2);
    expect(result.err).toContain("no input to validate with");
  });
});

describe("agentrt templates list", () => {
  it("prints loaded templates and rejected ones with their coded reason", async () => {
    const io = captureIo(host);
    expect(await runCli(["templates", "list"], io)).toBe(0);
    expect(io.out).toMatch(/Loaded templates \(\d+\):\n {2}echo@1\.2\.0 {2}agentrt-template-echo/);
    expect(io.out).toContain("agentrt-template-future@3.0.0  TEMPLATE_INCOMPATIBLE:");
    expect(io.out).toContain("agentrt-template-broken@0.1.0  TEMPLATE_INVALID:");
  });

  it("says (none) for an empty host", async () => {
    const io = captureIo(cliDir, { AGENTRT_HOST_DIR: "/nonexistent" });
    expect(await runCli(["templates", "list"], io)).toBe(0);
    expect(io.out).toBe("Loaded templates (0):\n  (none)\nRejected (0):\n  (none)\n");
  });
});
