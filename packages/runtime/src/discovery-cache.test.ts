import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ErrorCode } from "@agentrt/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// @ts-expect-error plain JS fixture helper shared with the server's tests
import { createFixtureHost } from "../../../fixtures/templates/create-host.mjs";
import { checkManifestText, type DiscoveryResult, discoverTemplates } from "./discovery.js";
import { loadDiscoveryCache } from "./discovery-cache.js";

let host: string;
let cacheFile: string;

beforeEach(() => {
  // The five fixtures these counts are written for.
  const fixtures = {
    "agentrt-template-echo": "echo",
    "agentrt-template-future": "incompatible",
    "agentrt-template-broken": "broken",
    "agentrt-template-multi-v1": "multi-1",
    "agentrt-template-multi-v2": "multi-2",
  };
  host = createFixtureHost({ fixtures, resolveFrom: resolve(import.meta.dirname, "..") });
  cacheFile = join(host, ".agentrt", "discovery-cache.json");
});
afterEach(() => rmSync(host, { recursive: true, force: true }));

const summary = (result: DiscoveryResult) => ({
  loaded: result.loaded.map((t) => `${t.template.name}@${t.template.version}`).sort(),
  rejected: result.rejected.map((r) => `${r.packageName}:${r.code}`).sort(),
});

/** One start-up: load the cache, discover, save. */
async function discoverWithCache(options: { racyWindowMs?: number; coreApiVersion?: string } = {}) {
  const cache = loadDiscoveryCache(cacheFile, options);
  const result = await discoverTemplates({
    hostDir: host,
    cache,
    ...(options.coreApiVersion ? { coreApiVersion: options.coreApiVersion } : {}),
  });
  cache.save();
  return { result: summary(result), stats: cache.stats() };
}

const manifestOf = (name: string) => join(host, "node_modules", name, "package.json");

describe("loadDiscoveryCache", () => {
  it("gives the same result as uncached discovery, and reuses verdicts while manifests are unchanged", async () => {
    const uncached = summary(await discoverTemplates({ hostDir: host }));
    const cold = await discoverWithCache({ racyWindowMs: 0 });
    expect(cold.result).toEqual(uncached);
    expect(cold.stats).toEqual({ hits: 0, rehashed: 0, misses: 5 });

    const warm = await discoverWithCache({ racyWindowMs: 0 });
    expect(warm.result).toEqual(uncached);
    expect(warm.stats).toEqual({ hits: 5, rehashed: 0, misses: 0 });
    expect(warm.result.rejected).toContain(`agentrt-template-future:${ErrorCode.TEMPLATE_INCOMPATIBLE}`);
    // The incompatible package still was not imported, cached verdict or not.
    expect((globalThis as Record<string, unknown>).__agentrtIncompatibleFixtureImported).toBeUndefined();
  });

  it("never serves a stale verdict: a same-size edit with its mtime put back is still seen", async () => {
    await discoverWithCache();
    const path = manifestOf("agentrt-template-echo");
    const before = statSync(path);
    const edited = readFileSync(path, "utf8").replace('"coreApi": "^2.0.0"', '"coreApi": "^9.0.0"');
    expect(edited.length).toBe(before.size);
    writeFileSync(path, edited);
    utimesSync(path, before.atime, before.mtime);

    const { result } = await discoverWithCache();
    expect(result.loaded).not.toContain("echo@1.2.0");
    expect(result.rejected).toContain(`agentrt-template-echo:${ErrorCode.TEMPLATE_INCOMPATIBLE}`);
  });

  it("re-checks a changed manifest even outside the racy window (stat differs)", async () => {
    await discoverWithCache({ racyWindowMs: 0 });
    const path = manifestOf("agentrt-template-future");
    writeFileSync(path, readFileSync(path, "utf8").replace('"coreApi": "^3.0.0"', '"coreApi": ">=1.0.0"'));
    const { result, stats } = await discoverWithCache({ racyWindowMs: 0 });
    expect(stats.misses).toBe(1);
    expect(result.rejected).not.toContain(`agentrt-template-future:${ErrorCode.TEMPLATE_INCOMPATIBLE}`);
  });

  it("reuses a verdict by content hash when only the stat changed (touch, reinstall of the same file)", async () => {
    await discoverWithCache({ racyWindowMs: 0 });
    const path = manifestOf("agentrt-template-echo");
    writeFileSync(path, readFileSync(path));
    const { stats } = await discoverWithCache({ racyWindowMs: 0 });
    expect(stats).toEqual({ hits: 4, rehashed: 1, misses: 0 });
  });

  it("confirms manifests changed just before they were cached by hash instead of trusting their stat", async () => {
    await discoverWithCache();
    const { stats } = await discoverWithCache();
    expect(stats.hits).toBe(0);
    expect(stats.rehashed).toBe(5);
  });

  it("re-checks everything for another core API version", async () => {
    await discoverWithCache({ racyWindowMs: 0 });
    const { result, stats } = await discoverWithCache({ racyWindowMs: 0, coreApiVersion: "3.1.0" });
    expect(stats.misses).toBe(5);
    expect(result.rejected).toContain(`agentrt-template-echo:${ErrorCode.TEMPLATE_INCOMPATIBLE}`);
    expect(result.loaded).not.toContain("echo@1.2.0");
  });

  it("follows the host's dependencies: removed packages drop out of the cache file, new ones are checked", async () => {
    await discoverWithCache({ racyWindowMs: 0 });
    const hostManifest = join(host, "package.json");
    const original = JSON.parse(readFileSync(hostManifest, "utf8"));
    const { "agentrt-template-echo": _removed, ...rest } = original.dependencies;
    writeFileSync(hostManifest, JSON.stringify({ ...original, dependencies: rest }));

    const removed = await discoverWithCache({ racyWindowMs: 0 });
    expect(removed.result.loaded).not.toContain("echo@1.2.0");
    const entries = Object.keys(JSON.parse(readFileSync(cacheFile, "utf8")).entries);
    expect(entries).toHaveLength(4);
    expect(entries.some((dir) => dir.endsWith("agentrt-template-echo"))).toBe(false);

    writeFileSync(hostManifest, JSON.stringify(original));
    const added = await discoverWithCache({ racyWindowMs: 0 });
    expect(added.stats).toEqual({ hits: 4, rehashed: 0, misses: 1 });
    expect(added.result.loaded).toContain("echo@1.2.0");
  });

  it("starts empty from a corrupt or foreign cache file and does not rewrite an unchanged one", async () => {
    writeFileSync(join(host, "cache.json"), "{not json");
    cacheFile = join(host, "cache.json");
    const { stats } = await discoverWithCache({ racyWindowMs: 0 });
    expect(stats.misses).toBe(5);

    writeFileSync(cacheFile, JSON.stringify({ format: 0, entries: {} }));
    expect((await discoverWithCache({ racyWindowMs: 0 })).stats.misses).toBe(5);

    const written = statSync(cacheFile).mtimeMs;
    const cache = loadDiscoveryCache(cacheFile, { racyWindowMs: 0 });
    await discoverTemplates({ hostDir: host, cache });
    cache.save();
    expect(statSync(cacheFile).mtimeMs).toBe(written);
  });

  it("records malformed manifests as rejections and still sees their fix", async () => {
    const path = manifestOf("agentrt-template-echo");
    const good = readFileSync(path, "utf8");
    writeFileSync(path, "{ broken");
    const { rejected } = (await discoverWithCache()).result;
    // Unparseable: the rejection is named by its directory.
    expect(rejected).toContain(
      `${join(host, "node_modules", "agentrt-template-echo")}:${ErrorCode.TEMPLATE_INVALID}`,
    );
    writeFileSync(path, good);
    expect((await discoverWithCache()).result.loaded).toContain("echo@1.2.0");
  });
});

describe("checkManifestText", () => {
  const dir = mkdtempSync(join(tmpdir(), "agentrt-manifest-"));
  it("classifies non-templates, templates and rejections", () => {
    expect(checkManifestText(dir, JSON.stringify({ name: "lodash", version: "1.0.0" }), "1.0.0")).toEqual({
      kind: "other",
    });
    const manifest = {
      name: "t",
      version: "1.0.0",
      keywords: ["agentrt-template"],
      agentrt: { template: "./i.js", coreApi: "^1" },
    };
    expect(checkManifestText(dir, JSON.stringify(manifest), "1.0.0")).toMatchObject({
      kind: "template",
      manifest: { packageName: "t", entry: join(dir, "i.js") },
    });
    expect(checkManifestText(dir, JSON.stringify(manifest), "2.0.0")).toMatchObject({
      kind: "rejected",
      rejection: { code: ErrorCode.TEMPLATE_INCOMPATIBLE, packageName: "t" },
    });
    expect(checkManifestText(dir, "[", "1.0.0")).toMatchObject({
      kind: "rejected",
      rejection: { code: ErrorCode.TEMPLATE_INVALID, packageName: dir },
    });
  });
});
