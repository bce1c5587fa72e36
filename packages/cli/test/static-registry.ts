import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PublishedPackage {
  manifest: { name: string; version: string; [key: string]: unknown };
  /** Extra files besides package.json, by path. */
  files?: Record<string, string>;
}

export interface StaticRegistry {
  url: string;
  /** Every request path, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** `npm pack`'s layout: a gzipped tar with everything under `package/`. */
function packTarball(pkg: PublishedPackage, workDir: string): Buffer {
  const root = mkdtempSync(join(workDir, "pack-"));
  const dir = join(root, "package");
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify(pkg.manifest, null, 2));
  for (const [path, content] of Object.entries(pkg.files ?? {})) writeFileSync(join(dir, path), content);
  const out = join(root, "package.tgz");
  const tar = spawnSync("tar", ["-czf", out, "-C", root, "package"]);
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
  return readFileSync(out);
}

/**
 * A read-only npm registry, optionally private: the two routes an install uses (`GET /<name>` packument, `GET` tarball),
 * serving real tarballs with their integrity, so real package managers install from it.
 */
export async function startStaticRegistry(
  packages: PublishedPackage[],
  /** When set, a private registry: every request needs `authorization: Bearer <token>` (else 401). */
  token?: string,
): Promise<StaticRegistry> {
  const workDir = mkdtempSync(join(tmpdir(), "agentrt-registry-"));
  const requests: string[] = [];
  const documents = new Map<string, Record<string, unknown>>();
  const tarballs = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(req.url ?? "/");
    requests.push(path);
    if (token && req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"error":"authentication required"}');
      return;
    }
    const tarball = tarballs.get(path);
    if (tarball) {
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(tarball);
      return;
    }
    const document = documents.get(path.slice(1));
    if (document) res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(document));
    else res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  for (const pkg of packages) {
    const { name, version } = pkg.manifest;
    const data = packTarball(pkg, workDir);
    const tarballPath = `/tarballs/${name}-${version}.tgz`;
    tarballs.set(tarballPath, data);
    const document = documents.get(name) ?? { name, "dist-tags": {}, versions: {} };
    (document.versions as Record<string, unknown>)[version] = {
      ...pkg.manifest,
      dist: {
        tarball: url + tarballPath,
        shasum: createHash("sha1").update(data).digest("hex"),
        integrity: `sha512-${createHash("sha512").update(data).digest("base64")}`,
      },
    };
    (document["dist-tags"] as Record<string, string>).latest = version;
    documents.set(name, document);
  }
  return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
