import type { Server } from "node:http";
import { operatorError } from "./operator-error.js";

/** Why a listen failed, said so the operator knows which setting to change. */
function listenProblem(code: unknown, host: string, port: number): string | undefined {
  if (code === "EADDRINUSE") return `port ${port} is in use; set AGENTRT_PORT`;
  if (code === "EACCES")
    return `port ${port} needs privileges this process lacks; set AGENTRT_PORT (above 1023)`;
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
    return `address ${host} is not available on this machine; set AGENTRT_HOST`;
  return undefined;
}

/** Starts listening; a port in use or a wrong address rejects with an operator error. */
export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const problem = listenProblem(error.code, host, port);
      reject(problem ? operatorError(problem, error) : error);
    };
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
}

/**
 * Stops accepting connections. Keep-alive connections are closed as they become idle; `closed`
 * resolves when the last connection is gone, and `cut` ends whatever is still open after `ms`.
 */
export function stopAccepting(server: Server): { closed: Promise<void>; cut(ms: number): void } {
  let force: NodeJS.Timeout | undefined;
  const idle = setInterval(() => server.closeIdleConnections(), 25);
  const closed = new Promise<void>((resolve) => {
    server.close(() => {
      clearInterval(idle);
      clearTimeout(force);
      resolve();
    });
  });
  server.closeIdleConnections();
  return {
    closed,
    cut(ms) {
      force ??= setTimeout(() => server.closeAllConnections(), ms);
    },
  };
}
