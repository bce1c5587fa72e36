import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface FakePackage {
  name: string;
  version: string;
  description?: string;
  keywords: string[];
  agentrt?: Record<string, unknown>;
}

const PACKAGES: FakePackage[] = [
  {
    name: "agentrt-template-echo",
    version: "1.2.0",
    description: "echo, published",
    keywords: ["agentrt-template"],
    agentrt: { template: "./index.js", coreApi: "^2.0.0" },
  },
  {
    name: "@acme/agentrt-template-future",
    version: "4.0.0",
    keywords: ["agentrt-template"],
    agentrt: { template: "./index.js", coreApi: "^99.0.0" },
  },
  {
    name: "agentrt-template-sloppy",
    version: "0.1.0",
    keywords: ["agentrt-template"],
    agentrt: { template: "./index.js", coreApi: "one point oh" },
  },
  { name: "agentrt-template-unpublished", version: "1.0.0", keywords: ["agentrt-template"] },
  // Found by the search, but its manifest needs a token this host does not send: 401.
  { name: "@private/agentrt-template-secret", version: "1.0.0", keywords: ["agentrt-template"] },
  // The search matched it by text, but it is not a template: left out.
  { name: "left-pad-agentrt-template", version: "1.0.0", keywords: ["strings"] },
];

/** A fake npm registry: `/-/v1/search` and `/<name>/<version>` manifests, counting requests. */
export function startFakeRegistry(mode: { hang?: boolean; fail?: boolean; likeVerdaccio?: boolean } = {}) {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://registry");
    requests.push(decodeURIComponent(url.pathname) + url.search);
    if (mode.hang) return; // never answers
    if (mode.fail) {
      res.writeHead(500).end("boom");
      return;
    }
    if (url.pathname === "/-/v1/search") {
      const text = url.searchParams.get("text") ?? "";
      // verdaccio knows no `keywords:` qualifier (it matches it as text: nothing) and names the
      // latest version in `dist-tags` instead of `version`.
      const words = text.split(/\s+/).filter((w) => mode.likeVerdaccio || !w.startsWith("keywords:"));
      const hits = PACKAGES.filter((p) => words.every((w) => p.name.includes(w)));
      const shown = hits.map(({ agentrt: _omitted, version, ...p }) =>
        mode.likeVerdaccio ? { ...p, "dist-tags": { latest: version } } : { ...p, version },
      );
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          objects: shown.map((p) => ({ package: p, score: { final: 1 } })),
          total: hits.length,
        }),
      );
      return;
    }
    const path = decodeURIComponent(url.pathname.slice(1));
    if (path.startsWith("@private/")) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"error":"authentication required"}');
      return;
    }
    const at = path.lastIndexOf("/");
    const found = PACKAGES.find(
      (p) =>
        p.name === path.slice(0, at) &&
        p.version === path.slice(at + 1) &&
        p.name !== "agentrt-template-unpublished",
    );
    if (!found) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(found));
  });
  return new Promise<{ url: string; requests: string[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => {
          server.closeAllConnections();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}
