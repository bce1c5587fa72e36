import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Upstream {
  url: string;
  hits: Record<string, number>;
  /** Resolves when the client of a request to `path` closed the connection before an answer. */
  closedEarly(path: string): Promise<void>;
  close(): Promise<void>;
}

/** A small real HTTP server for task steps: `/ok`, `/slow?ms=`, `/flaky?fails=` (per path counter), `/fail`. */
export async function startUpstream(): Promise<Upstream> {
  const hits: Record<string, number> = {};
  const early = new Map<string, () => void>();
  const earlyPromises = new Map<string, Promise<void>>();
  const closedEarly = (path: string) => {
    let p = earlyPromises.get(path);
    if (!p) {
      p = new Promise<void>((resolve) => early.set(path, resolve));
      earlyPromises.set(path, p);
    }
    return p;
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    hits[url.pathname] = (hits[url.pathname] ?? 0) + 1;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/slow") {
      const timer = setTimeout(() => json(200, { slow: true }), Number(url.searchParams.get("ms") ?? 1000));
      res.on("close", () => {
        if (!res.writableEnded) {
          clearTimeout(timer);
          closedEarly(url.pathname);
          early.get(url.pathname)?.();
        }
      });
      return;
    }
    if (url.pathname === "/flaky") {
      const fails = Number(url.searchParams.get("fails") ?? 2);
      return hits[url.pathname]! <= fails
        ? json(503, { error: "try again" })
        : json(200, { attempt: hits[url.pathname] });
    }
    if (url.pathname === "/fail") return json(500, { error: "always" });
    return json(200, { ok: true, path: url.pathname });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    closedEarly,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
