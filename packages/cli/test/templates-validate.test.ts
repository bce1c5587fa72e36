import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error plain JS fixture helper shared with core's and the server's tests
import { createFixtureHost } from "../../../fixtures/templates/create-host.mjs";
import { runCli } from "../src/cli.js";
import { captureIo } from "./capture-io.js";
import { cliDir } from "./workspace-deps.js";

const host = createFixtureHost({ resolveFrom: cliDir }) as string;
afterAll(() => rmSync(host, { recursive: true, force: true }));

const LOAD_CHECK = "package.json declares a template this core can load, and its entry exports it";

const validate = async (...args: string[]) => {
  const io = captureIo(host);
  const code = await runCli(["templates", "validate", ...args], io);
  return { code, out: io.out, err: io.err };
};

/** A copy of the echo fixture inside the host whose package.json declares `agentrt.conformance`. */
function echoDeclaring(dirName: string, conformance: unknown): string {
  const dir = join(host, "node_modules", dirName);
  cpSync(join(host, "node_modules", "agentrt-template-echo"), dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ ...manifest, agentrt: { ...manifest.agentrt, conformance } }),
  );
  return dir;
}

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
    expect(result.out).toContain(`✓ ${LOAD_CHECK}`);
    expect(result.out).toContain("✓ its own error codes are well formed");
    expect(result.out).toContain("✓ runs to well-formed events with exactly one output");
    expect(result.out).toContain("0 failed");
  });

  it("runs every check @agentrt/testing lists for the inputs declared in package.json", async () => {
    const dir = echoDeclaring("echo-declared", {
      config: { greeting: "hi" },
      input: "there",
      slowInput: { sleepMs: 60_000 },
      cancelWithinMs: 500,
      expectedDefaults: { repeat: 1, shout: false, tags: [] },
      invalidConfigs: [
        { config: { repeat: 0 }, path: ["repeat"] },
        { config: { shout: true, greeting: "a greeting that is far too long" }, path: ["greeting"] },
      ],
      context: { settings: { unused: true } },
    });
    const result = await validate(dir, "--json");
    expect(result.code, result.out + result.err).toBe(0);
    const report = JSON.parse(result.out);
    expect(report).toMatchObject({ packageDir: dir, ok: true });
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual([
      LOAD_CHECK,
      "branded by defineTemplate with a known spec version",
      "name is a lower-case slug",
      "its own error codes are well formed",
      "config schema converts to JSON Schema",
      "accepts the config",
      "fills in defaults",
      'rejects invalid config #1 at ["repeat"]',
      'rejects invalid config #2 at ["greeting"]',
      "migrations carry older configs to one this version accepts",
      "runs to well-formed events with exactly one output",
      "stops within 500 ms when cancelled",
      "disposes, and a second dispose does not throw",
    ]);
    // Flags replace the declared config and input; the rest of the declaration still applies.
    const overridden = await validate(dir, "--config", '{"greeting":"yo","repeat":2}', "--input", "1");
    expect(overridden.code).toBe(1);
    expect(overridden.out).toContain("✓ accepts the config");
    expect(overridden.out).toContain('✗ fills in defaults\n      default for "repeat": expected 1, got 2');
    expect(overridden.out).toContain("✓ stops within 500 ms when cancelled");
    expect(overridden.out).toContain("12 passed, 1 failed");
  });

  it("refuses a malformed agentrt.conformance declaration", async () => {
    const dir = echoDeclaring("echo-malformed", { config: {}, input: 1, invalidConfigs: { repeat: 0 } });
    const result = await validate(dir);
    expect(result.code).toBe(1);
    expect(result.err).toContain('"agentrt.conformance" in');
    expect(result.err).toContain("invalidConfigs must be an array");
    const badSamples = echoDeclaring("echo-bad-samples", {
      config: {},
      input: 1,
      previousConfigs: [{ config: {} }],
    });
    const samples = await validate(badSamples);
    expect(samples.code).toBe(1);
    expect(samples.err).toContain("previousConfigs must be an array");
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

  it("passes a chat template (capabilities chat and threads)", async () => {
    const result = await validate(
      "agentrt-template-parrot",
      "--config",
      "{}",
      "--input",
      '{"messages":[{"role":"user","content":"hello"}]}',
    );
    expect(result.code, result.out + result.err).toBe(0);
    expect(result.out).toContain("0 failed");
  });

  it("gives templates no host services: a template that needs one loads but fails its runs", async () => {
    const result = await validate("agentrt-template-needs-service", "--config", "{}", "--input", '"q"');
    expect(result.code).toBe(1);
    expect(result.out).toContain(`✓ ${LOAD_CHECK}`);
    expect(result.out).toContain("✓ accepts the config");
    expect(result.out).toContain("✗ runs to well-formed events with exactly one output");
  });

  it("stops at the load step for incompatible, legacy and broken packages", async () => {
    const future = await validate("agentrt-template-future", "--config", "{}", "--input", "1");
    expect(future.code).toBe(1);
    expect(future.out).toContain(`✗ ${LOAD_CHECK}`);
    expect(future.out).toContain("TEMPLATE_INCOMPATIBLE: ");
    expect(future.out).toContain("requires @agentrt/core API ^3.0.0");
    expect(future.out).toContain('→ pick a version whose "agentrt.coreApi" includes this core API');
    expect(future.out).toContain("0 passed, 1 failed");
    const legacy = await validate("agentrt-template-legacy", "--config", "{}", "--input", "1");
    expect(legacy.code).toBe(1);
    expect(legacy.out).toContain("agentrt-template-legacy@1.4.0 requires @agentrt/core API ^1.0.0");
    expect(legacy.out).toContain("0 passed, 1 failed");
    const broken = await validate("agentrt-template-broken", "--config", "{}", "--input", "1");
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`✗ ${LOAD_CHECK}`);
    expect(broken.out).toContain("does not export a template made with defineTemplate()");
    expect(broken.out).not.toContain("branded by defineTemplate");
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
    expect(io.out).toMatch(
      /Loaded templates \(\d+\):\n {2}echo@1\.2\.0 {2}agentrt-template-echo {2}coreApi \^2\.0\.0\n/,
    );
    expect(io.out).toContain("  parrot@1.0.0  agentrt-template-parrot  coreApi ^2.0.0\n");
    expect(io.out).toContain("agentrt-template-future@3.0.0  TEMPLATE_INCOMPATIBLE:");
    expect(io.out).toContain(
      "agentrt-template-legacy@1.4.0  TEMPLATE_INCOMPATIBLE: agentrt-template-legacy@1.4.0 requires @agentrt/core API ^1.0.0",
    );
    expect(io.out).toContain("agentrt-template-broken@0.1.0  TEMPLATE_INVALID:");
  });

  it("shows the services each template needs, which a listing cannot check", async () => {
    const text = captureIo(host);
    expect(await runCli(["templates", "list"], text)).toBe(0);
    expect(text.out).toContain(
      "  needs-service@1.0.0  agentrt-template-needs-service  coreApi ^2.0.0  needs acme.vector-store\n",
    );
    const io = captureIo(host);
    expect(await runCli(["templates", "list", "--json"], io)).toBe(0);
    const { loaded } = JSON.parse(io.out) as { loaded: Record<string, unknown>[] };
    expect(loaded.find((t) => t.name === "needs-service")).toMatchObject({
      services: [
        { id: "acme.vector-store", optional: false },
        { id: "agentrt.secrets", optional: true },
      ],
      capabilities: [],
    });
    expect(loaded.find((t) => t.name === "parrot")).toMatchObject({
      packageName: "agentrt-template-parrot",
      coreApi: "^2.0.0",
      services: [],
      capabilities: ["chat", "threads"],
    });
  });

  it("says (none) for an empty host", async () => {
    const io = captureIo(cliDir, { AGENTRT_HOST_DIR: "/nonexistent" });
    expect(await runCli(["templates", "list"], io)).toBe(0);
    expect(io.out).toBe("Loaded templates (0):\n  (none)\nRejected (0):\n  (none)\n");
  });
});
