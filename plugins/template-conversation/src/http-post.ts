import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

/** The provider sent no response headers within the attempt's timeout. */
export class ResponseTimeoutError extends Error {
  override name = "TimeoutError";
}

/**
 * POSTs `body` and resolves with the response once its headers arrive. Plain `node:http(s)` on the
 * default keep-alive agents, not `fetch`: a request through `fetch` costs about twice the CPU
 * (WHATWG streams, Request/Response objects), which matters on the path of every model call.
 * Rejects with `signal.reason` once `signal` fires (also closing a response being read), with
 * ResponseTimeoutError after `timeoutMs` without headers, or with the socket's error.
 */
export function postForResponse(
  url: URL,
  headers: OutgoingHttpHeaders,
  body: string,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(url, {
      method: "POST",
      headers: { ...headers, "content-length": Buffer.byteLength(body) },
    });
    const onAbort = () => req.destroy(signal.reason);
    const unlink = () => signal.removeEventListener("abort", onAbort);
    signal.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(
      () => req.destroy(new ResponseTimeoutError(`no response within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on("response", (response) => {
      clearTimeout(timer);
      // The abort link stays until the body is read or dropped, so an abort also ends the body.
      response.once("close", unlink);
      resolve(response);
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      unlink();
      reject(signal.aborted ? signal.reason : error);
    });
    req.end(body);
  });
}

/** A response body as text (for error answers, which are small). */
export async function readText(response: IncomingMessage): Promise<string> {
  response.setEncoding("utf8");
  let text = "";
  for await (const chunk of response) text += chunk as string;
  return text;
}
