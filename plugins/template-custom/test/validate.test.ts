import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CORE_API_VERSION,
  ErrorCode,
  isAgentrtError,
  isTemplate,
  parseTemplateManifest,
} from "@agentrt/core";
import { SANDBOX_ERRORS } from "@agentrt/sandbox";
import {
  checkConfigJsonSchema,
  checkTemplateErrors,
  createTestCertificate,
  type TestCertificate,
  validateConfig as validateThroughHost,
} from "@agentrt/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pkg from "../package.json" with { type: "json" };
import template, { CUSTOM_ERRORS, CustomConfigSchema, CustomErrorCode } from "../src/index.js";
import { sha256Hex } from "../src/load-source.js";
import { resolveConfig, validateConfig } from "../src/resolve-config.js";
import { createValidateContext } from "./contexts.js";
import { startHttpsServer, type TestHttpsServer } from "./https-fixture.js";

let base: string;
let certificate: TestCertificate;
let server: TestHttpsServer;
const jsCode = "export function main(input) { return { echo: input }; }\n";

beforeAll(async () => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "agentrt-custom-")));
  mkdirSync(join(base, "root"));
  writeFileSync(join(base, "root", "agent.js"), jsCode);
  writeFileSync(join(base, "outside.js"), jsCode);
  certificate = createTestCertificate();
  server = await startHttpsServer(certificate, (req, res) => {
    if (req.url === "/agent.ts") res.end("export const main = (x: number): number => x + 1;\n");
    else if (req.url === "/broken.js") res.end("export function main() { return 1 +; }\n");
    else res.writeHead(404).end();
  });
});

afterAll(async () => {
  await server.close();
  rmSync(base, { recursive: true, force: true });
});

const settings = () => ({
  codeRoot: join(base, "root"),
  urlAllowList: ["127.0.0.1"],
  allowPrivateAddresses: true, // the test server is on loopback
  urlCa: certificate.cert,
});

function parse(config: Record<string, unknown>) {
  return CustomConfigSchema.parse(config);
}

async function issuesOf(config: Record<string, unknown>, ctxSettings: Record<string, unknown> = settings()) {
  return validateConfig(parse(config), createValidateContext(ctxSettings));
}

describe("template definition", () => {
  it("is a branded template whose version and core range are the package's", () => {
    expect(isTemplate(template)).toBe(true);
    expect(template.name).toBe("custom");
    expect(template.resolveConfig).toBeTypeOf("function");
    // The host reads both from package.json; the definition does not repeat them.
    expect(template).not.toHaveProperty("version");
    expect(template).not.toHaveProperty("coreApi");
    expect(pkg.agentrt).toEqual({ template: "./dist/index.js", coreApi: "^2.0.0" });
    expect(pkg.peerDependencies).toEqual({ "@agentrt/core": "^2.0.0" });
    expect(parseTemplateManifest(pkg, CORE_API_VERSION)).toEqual({
      packageName: "@agentrt/template-custom",
      packageVersion: pkg.version,
      entry: "./dist/index.js",
      coreApi: "^2.0.0",
    });
  });

  it("depends on core as a peer only, never on the runtime", () => {
    const all = { ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies };
    expect(Object.keys(all)).not.toContain("@agentrt/runtime");
    expect(Object.keys(pkg.dependencies)).not.toContain("@agentrt/core");
  });

  it("declares every sandbox code and its own, each with the sandbox's or a 422 status", () => {
    expect(template.errors).toBe(CUSTOM_ERRORS);
    expect(() => checkTemplateErrors(template)).not.toThrow();
    for (const [code, declaration] of Object.entries(SANDBOX_ERRORS)) {
      expect(template.errors?.[code], code).toEqual(declaration);
    }
    expect(template.errors).toMatchObject({
      CODE_FETCH_FAILED: { status: 422, description: expect.any(String) },
      PATH_NOT_ALLOWED: { status: 422, description: expect.any(String) },
    });
    expect(Object.keys(template.errors ?? {}).sort()).toEqual(
      [...Object.keys(SANDBOX_ERRORS), "CODE_FETCH_FAILED", "PATH_NOT_ALLOWED"].sort(),
    );
    expect(CustomErrorCode.PATH_NOT_ALLOWED).toBe("PATH_NOT_ALLOWED");
  });

  it("uses no host services (it reads no secrets)", () => {
    expect(template.services ?? {}).toEqual({});
  });

  it("does not offer `resolved` as a config field", () => {
    const schema = checkConfigJsonSchema(template) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).not.toContain("resolved");
  });
});

describe("validateConfig", () => {
  it("accepts valid inline JavaScript", async () => {
    expect(await issuesOf({ type: "inline", language: "javascript", content: jsCode })).toEqual([]);
  });

  it("reports syntax errors with line and column", async () => {
    const issues = await issuesOf({
      type: "inline",
      language: "javascript",
      content: "export function main() {\n  return 1 +;\n}\n",
    });
    expect(issues[0]?.path).toEqual(["content"]);
    expect(issues[0]?.message).toMatch(/^CODE_COMPILE_ERROR: line 2, column \d+: /);
  });

  it("reports TypeScript syntax errors with line and column", async () => {
    const issues = await issuesOf({
      type: "inline",
      language: "typescript",
      content: "export function main(x: number): number {\n  return x as;\n}\n",
    });
    expect(issues[0]?.message).toMatch(/^CODE_COMPILE_ERROR: line 2, column \d+: /);
  });

  it("reports Python syntax errors with line and column", async () => {
    const issues = await issuesOf({
      type: "inline",
      language: "python",
      content: "def main(input):\n    return (1 +\n",
    });
    expect(issues[0]?.path).toEqual(["content"]);
    expect(issues[0]?.message).toMatch(/^CODE_COMPILE_ERROR: line \d+, column \d+: /);
  });

  it("reports a missing entry point at entryPoint", async () => {
    const issues = await issuesOf({
      type: "inline",
      language: "javascript",
      content: jsCode,
      entryPoint: "run",
    });
    expect(issues[0]?.path).toEqual(["entryPoint"]);
    expect(issues[0]?.message).toMatch(/^ENTRYPOINT_NOT_FOUND: /);
  });

  it("refuses dependencies outside the operator allow-list", async () => {
    const issues = await issuesOf({
      type: "inline",
      language: "javascript",
      content: jsCode,
      dependencies: ["left-pad"],
    });
    expect(issues[0]?.message).toMatch(/^DEPENDENCY_NOT_ALLOWED: /);
  });

  it("loads and compiles a file from the code root", async () => {
    expect(await issuesOf({ type: "file", language: "javascript", content: "agent.js" })).toEqual([]);
  });

  it("refuses file paths escaping the code root", async () => {
    const issues = await issuesOf({ type: "file", language: "javascript", content: "../outside.js" });
    expect(issues).toEqual([{ path: ["content"], message: expect.stringMatching(/^PATH_NOT_ALLOWED: /) }]);
  });

  it("fetches and compiles code from an allowed URL", async () => {
    expect(await issuesOf({ type: "url", language: "typescript", content: server.url("/agent.ts") })).toEqual(
      [],
    );
  });

  it("reports compile errors of fetched code", async () => {
    const issues = await issuesOf({ type: "url", language: "javascript", content: server.url("/broken.js") });
    expect(issues[0]?.message).toMatch(/^CODE_COMPILE_ERROR: line 1, column \d+: /);
  });

  it("refuses loopback URLs unless the operator allows private addresses", async () => {
    const issues = await issuesOf(
      { type: "url", language: "typescript", content: server.url("/agent.ts") },
      { ...settings(), allowPrivateAddresses: false },
    );
    expect(issues).toEqual([
      { path: ["content"], message: expect.stringMatching(/^URL_NOT_ALLOWED: .*loopback/) },
    ]);
  });

  it("rejects through the host's config pipeline as CONFIG_INVALID with the field issues", async () => {
    const error = await validateThroughHost(
      template,
      { type: "url", language: "javascript", content: "http://127.0.0.1/x.js" },
      createValidateContext(settings()),
    ).catch((e: unknown) => e);
    expect(isAgentrtError(error) && error.code).toBe(ErrorCode.CONFIG_INVALID);
    expect(isAgentrtError(error) && error.issues?.[0]?.message).toMatch(/^URL_NOT_ALLOWED: only https/);
  });
});

describe("resolveConfig", () => {
  it("stores the code validate loaded, with its sha256 and origin", async () => {
    const file = join(base, "root", "changing.js");
    writeFileSync(file, jsCode);
    const config = parse({ type: "file", language: "javascript", content: "changing.js" });
    const ctx = createValidateContext(settings());
    expect(await validateConfig(config, ctx)).toEqual([]);
    writeFileSync(file, "export const main = () => 'changed after validation';");
    const stored = await resolveConfig(config, ctx);
    expect(stored.resolved).toEqual({
      source: jsCode,
      sha256: sha256Hex(jsCode),
      origin: "changing.js",
      fetchedAt: expect.any(String),
    });
    expect(JSON.parse(JSON.stringify(stored))).toEqual(stored); // storable as JSON
  });

  it("loads on its own when validate did not run, recording the final URL", async () => {
    const config = parse({ type: "url", language: "typescript", content: server.url("/agent.ts") });
    const stored = await resolveConfig(config, createValidateContext(settings()));
    expect(stored.resolved?.origin).toBe(server.url("/agent.ts"));
    expect(stored.resolved?.source).toContain("x + 1");
  });

  // Through the host's real config pipeline (schema → validate → resolveConfig), as the server stores it.
  const forged = {
    source: "export const main = () => 'forged';",
    sha256: sha256Hex("export const main = () => 'forged';"),
    origin: "forged",
    fetchedAt: new Date().toISOString(),
  };

  it("never stores a resolved copy sent with inline code", async () => {
    const stored = await validateThroughHost(
      template,
      { type: "inline", language: "javascript", content: jsCode, resolved: forged },
      createValidateContext(settings()),
    );
    expect(stored).not.toHaveProperty("resolved");
  });

  it("stores the loaded code, not a resolved copy sent by the user", async () => {
    const stored = await validateThroughHost(
      template,
      { type: "file", language: "javascript", content: "agent.js", resolved: forged },
      createValidateContext(settings()),
    );
    expect(stored.resolved).toEqual({
      source: jsCode,
      sha256: sha256Hex(jsCode),
      origin: "agent.js",
      fetchedAt: expect.any(String),
    });
  });

  it("throws CONFIG_INVALID when the code cannot be loaded", async () => {
    const config = parse({ type: "file", language: "javascript", content: "missing.js" });
    const error = await resolveConfig(config, createValidateContext(settings())).catch((e: unknown) => e);
    expect(isAgentrtError(error) && error.code).toBe(ErrorCode.CONFIG_INVALID);
    expect(isAgentrtError(error) && error.issues?.[0]?.message).toMatch(/^CODE_FETCH_FAILED: file not found/);
  });
});
