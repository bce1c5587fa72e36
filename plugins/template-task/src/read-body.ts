import { ErrorCode } from "@agentrt/core";
import { createStepError } from "./step-error.js";

function tooLarge(maxBytes: number): Error {
  return createStepError(ErrorCode.RESPONSE_TOO_LARGE, `response body exceeds ${maxBytes} bytes`, {
    retryable: false,
  });
}

/** Reads at most `maxBytes` of a body, cancelling the stream as soon as the limit is passed. */
async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(maxBytes);
  }
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export function isJsonContentType(contentType: string | null): boolean {
  return contentType !== null && /^application\/([\w.-]+\+)?json\b/i.test(contentType.trim());
}

/** The body as parsed JSON when the server says it is JSON, otherwise as text. */
export async function readResponseBody(response: Response, maxBytes: number): Promise<unknown> {
  const text = new TextDecoder().decode(await readLimited(response, maxBytes));
  if (!isJsonContentType(response.headers.get("content-type")) || text === "") return text;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw createStepError(ErrorCode.UPSTREAM_ERROR, "response says it is JSON but does not parse", {
      retryable: false,
      cause: error,
    });
  }
}
