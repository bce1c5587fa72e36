import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TestCertificate } from "@agentrt/testing";

export interface TestHttpsServer {
  server: Server;
  port: number;
  /** `https://127.0.0.1:<port><path>` */
  url(path: string): string;
  close(): Promise<void>;
}

/** A real HTTPS server on 127.0.0.1, port 0. */
export async function startHttpsServer(
  certificate: TestCertificate,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestHttpsServer> {
  const server = createServer({ key: certificate.key, cert: certificate.cert }, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: (path) => `https://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
