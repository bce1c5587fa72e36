import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createTestCertificate } from "@agentrt/testing";

export interface CodeHost {
  /** PEM of the throwaway self-signed certificate, for the operator's `urlCa` setting. */
  ca: string;
  /** `https://localhost:<port><path>` */
  url(path: string): string;
  /** Paths requested so far, in order. */
  hits: string[];
  close(): Promise<void>;
}

/**
 * A real HTTPS server on 127.0.0.1 that serves agent code and misbehaves on request: redirects to
 * plain http, to a host off the allow-list, to a bare IP, endless redirect chains, oversized bodies.
 * `body` is the code served at `/agent.js` (also the end of `/hop/1`...`/hop/3`).
 */
export async function startCodeHost(body: string): Promise<CodeHost> {
  const { key, cert } = createTestCertificate();
  const hits: string[] = [];
  let port = 0;
  const server = createServer({ key, cert }, (req, res) => {
    const path = req.url ?? "/";
    hits.push(path);
    const redirect = (location: string) => res.writeHead(302, { location }).end();
    const hop = /^\/hop\/(\d+)$/.exec(path);
    if (path === "/agent.js") res.writeHead(200, { "content-type": "text/javascript" }).end(body);
    else if (hop) redirect(Number(hop[1]) >= 3 ? "/agent.js" : `/hop/${Number(hop[1]) + 1}`);
    else if (path.startsWith("/endless/")) redirect(`/endless/${path.length}`);
    else if (path === "/to-http") redirect(`http://localhost:${port}/agent.js`);
    else if (path === "/to-foreign") redirect("https://code.attacker.test/agent.js");
    else if (path === "/to-ip") redirect(`https://127.0.0.1:${port}/agent.js`);
    else if (path === "/huge") res.writeHead(200).end(`// ${"x".repeat(64 * 1024)}`);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  return {
    ca: cert,
    url: (path) => `https://localhost:${port}${path}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
