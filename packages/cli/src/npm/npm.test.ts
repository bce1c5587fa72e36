import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CORE_API_VERSION } from "@agentrt/core";
import { describe, expect, it } from "vitest";
import { checkRegistryTemplate } from "./check-registry-template.js";
import { detectPackageManager, installArgs, parsePackageManager } from "./package-manager.js";
import { escapePackageName, installSpec, parsePackageSpec } from "./package-spec.js";
import { type Packument, pickVersion } from "./packument.js";
import { DEFAULT_REGISTRY, registryAuthorization, resolveRegistry } from "./registry-url.js";

const tmp = () => mkdtempSync(join(tmpdir(), "agentrt-npm-"));

describe("parsePackageSpec", () => {
  it("splits names and ranges, scoped or not", () => {
    expect(parsePackageSpec("tpl")).toEqual({ name: "tpl", range: undefined });
    expect(parsePackageSpec("tpl@^1")).toEqual({ name: "tpl", range: "^1" });
    expect(parsePackageSpec("@acme/tpl")).toEqual({ name: "@acme/tpl", range: undefined });
    expect(parsePackageSpec("@acme/tpl@next")).toEqual({ name: "@acme/tpl", range: "next" });
    expect(() => parsePackageSpec("Bad Name")).toThrow("is not a package name");
    expect(parsePackageSpec("task-v1@npm:@agentrt/template-task@^1")).toEqual({
      name: "@agentrt/template-task",
      range: "^1",
      alias: "task-v1",
    });
    expect(parsePackageSpec("@me/t1@npm:tpl")).toEqual({ name: "tpl", range: undefined, alias: "@me/t1" });
    expect(installSpec(parsePackageSpec("t1@npm:tpl@^1"), "1.2.0")).toBe("t1@npm:tpl@1.2.0");
    expect(installSpec(parsePackageSpec("tpl@^1"), "1.2.0")).toBe("tpl@1.2.0");
    expect(() => parsePackageSpec("a@npm:b@npm:c")).toThrow("is not an npm alias");
    expect(escapePackageName("@acme/tpl")).toBe("@acme%2ftpl");
  });
});

describe("pickVersion", () => {
  const doc: Packument = {
    name: "tpl",
    "dist-tags": { latest: "1.2.0", next: "2.0.0-rc.1" },
    versions: Object.fromEntries(
      ["1.0.0", "1.2.0", "1.3.0", "2.0.0-rc.1"].map((version) => [version, { name: "tpl", version }]),
    ),
  };
  it("prefers the latest tag when it matches, else the highest match; tags by name", () => {
    expect(pickVersion(doc).version).toBe("1.2.0");
    expect(pickVersion(doc, "^1").version).toBe("1.2.0");
    expect(pickVersion(doc, "~1.3").version).toBe("1.3.0");
    expect(pickVersion(doc, "next").version).toBe("2.0.0-rc.1");
    expect(() => pickVersion(doc, "^3")).toThrow("no version matching ^3");
    expect(() => pickVersion(doc, "no such tag!")).toThrow("neither a dist-tag");
  });
});

describe("checkRegistryTemplate", () => {
  const base = { name: "t", version: "1.0.0", keywords: ["agentrt-template"] };

  it("accepts a compatible template and names both versions when incompatible", () => {
    expect(checkRegistryTemplate({ ...base, agentrt: { template: "./i.js", coreApi: "^2" } })).toEqual({
      packageName: "t",
      packageVersion: "1.0.0",
      entry: "./i.js",
      coreApi: "^2",
    });
    expect(() =>
      checkRegistryTemplate({ ...base, agentrt: { template: "./i.js", coreApi: "^2" } }, "3.0.0"),
    ).toThrow("t@1.0.0 requires @agentrt/core API ^2, but this server provides 3.0.0");
    expect(() => checkRegistryTemplate({ ...base, agentrt: { template: "./i.js", coreApi: "^1" } })).toThrow(
      `t@1.0.0 requires @agentrt/core API ^1, but this server provides ${CORE_API_VERSION}`,
    );
  });

  it("applies core's manifest rule: a template, with an entry and a semver version", () => {
    const invalid = (manifest: Parameters<typeof checkRegistryTemplate>[0]) => {
      try {
        checkRegistryTemplate(manifest);
      } catch (error) {
        return (error as { code?: unknown }).code;
      }
      return undefined;
    };
    expect(invalid({ name: "lib", version: "1.0.0" })).toBe("TEMPLATE_INVALID");
    expect(invalid(base)).toBe("TEMPLATE_INVALID");
    expect(invalid({ ...base, version: "one", agentrt: { template: "./i.js", coreApi: "^2" } })).toBe(
      "TEMPLATE_INVALID",
    );
    expect(() => checkRegistryTemplate({ name: "lib", version: "1.0.0" })).toThrow(
      'lib@1.0.0 is not an agentrt template: its package.json has neither the "agentrt-template" keyword nor an "agentrt" field',
    );
  });
});

describe("package managers", () => {
  it("detects the manager from the nearest lockfile, then packageManager, else npm", () => {
    const root = tmp();
    const app = join(root, "apps", "web");
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, "package.json"), "{}");
    expect(detectPackageManager(app)).toBe("npm");
    writeFileSync(join(app, "package.json"), JSON.stringify({ packageManager: "yarn@4.1.0" }));
    expect(detectPackageManager(app)).toBe("yarn");
    writeFileSync(join(root, "pnpm-lock.yaml"), "");
    expect(detectPackageManager(app)).toBe("pnpm");
    writeFileSync(join(app, "package-lock.json"), "{}");
    expect(detectPackageManager(app)).toBe("npm");
  });

  it("builds each manager's add command and validates --pm", () => {
    expect(installArgs("npm", "t@1.0.0")).toEqual(["install", "t@1.0.0"]);
    expect(installArgs("pnpm", "t@1.0.0", "http://r/")).toEqual([
      "add",
      "t@1.0.0",
      "--registry",
      "http://r/",
    ]);
    expect(installArgs("yarn", "t@1.0.0")).toEqual(["add", "t@1.0.0"]);
    expect(parsePackageManager("pnpm")).toBe("pnpm");
    expect(() => parsePackageManager("bun")).toThrow("--pm must be one of");
  });
});

describe("registryAuthorization", () => {
  it("finds npm's credentials for a registry URL, the longest path first", () => {
    const home = tmp();
    const project = tmp();
    writeFileSync(join(project, "package.json"), "{}");
    const auth = (registry: string, env: Record<string, string> = {}) =>
      registryAuthorization(registry, { HOME: home, ...env }, project);
    expect(auth("http://r.example/")).toBeUndefined();
    writeFileSync(
      join(project, ".npmrc"),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: .npmrc's own ${VAR} syntax
      "//r.example/:_authToken=${TOKEN}\n//r.example/team/:_auth=dXNlcjpwdw==\n" +
        "//b.example:8080/:username=u\n//b.example:8080/:_password=cHc=\n",
    );
    expect(auth("http://r.example/", { TOKEN: "t1" })).toBe("Bearer t1");
    expect(auth("https://r.example/team/npm/")).toBe("Basic dXNlcjpwdw==");
    expect(auth("http://b.example:8080/")).toBe(`Basic ${Buffer.from("u:pw").toString("base64")}`);
    // npm_config_userconfig names the user config (as npm and the e2e test use it).
    const user = join(home, "custom-npmrc");
    writeFileSync(user, "//u.example/:_authToken=from-user\n");
    expect(auth("http://u.example/", { npm_config_userconfig: user })).toBe("Bearer from-user");
  });
});

describe("resolveRegistry", () => {
  it("follows the flag, scoped registries, env, project and user .npmrc, then the default", () => {
    const home = tmp();
    const project = tmp();
    writeFileSync(join(project, "package.json"), "{}");
    const resolve = (packageName: string, env: Record<string, string> = {}, flag?: string) =>
      resolveRegistry({ packageName, flag, env: { HOME: home, ...env }, dir: project });

    expect(resolve("t")).toBe(DEFAULT_REGISTRY);
    writeFileSync(join(home, ".npmrc"), "; user config\nregistry=http://user.example\n");
    expect(resolve("t")).toBe("http://user.example/");
    writeFileSync(
      join(project, ".npmrc"),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: .npmrc's own ${VAR} syntax, expanded by readNpmrc
      "# project\nregistry=${REG}\n@acme:registry=http://acme.example/\n",
    );
    expect(resolve("t", { REG: "http://project.example" })).toBe("http://project.example/");
    expect(resolve("@acme/t", { REG: "x" })).toBe("http://acme.example/");
    expect(resolve("t", { npm_config_registry: "http://env.example" })).toBe("http://env.example/");
    expect(resolve("t", {}, "http://flag.example")).toBe("http://flag.example/");
  });
});
