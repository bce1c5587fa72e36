import { createHash } from "node:crypto";
import type { CustomConfig, ResolvedCode } from "./config-schema.js";
import { loadFileCode } from "./load-file-code.js";
import { loadUrlCode } from "./load-url-code.js";
import type { CustomSettings } from "./settings.js";

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * Loads the code a `file` or `url` config points at, under the operator's rules, and records where
 * it came from and its hash. Create/update time only: runs use the stored `resolved` copy.
 */
export async function loadSource(
  config: Pick<CustomConfig, "type" | "content">,
  settings: CustomSettings,
): Promise<ResolvedCode> {
  let source: string;
  let origin: string;
  if (config.type === "file") {
    ({ source, path: origin } = await loadFileCode(config.content, {
      codeRoot: settings.codeRoot,
      maxBytes: settings.maxCodeBytes,
    }));
  } else {
    ({ source, url: origin } = await loadUrlCode(config.content, {
      allowHosts: settings.urlAllowList,
      allowInternal: settings.urlAllowInternal,
      allowPrivateAddresses: settings.allowPrivateAddresses,
      ...(settings.urlCa ? { ca: settings.urlCa } : {}),
      maxBytes: settings.maxCodeBytes,
      timeoutMs: settings.fetchTimeoutMs,
    }));
  }
  return { source, sha256: sha256Hex(source), origin, fetchedAt: new Date().toISOString() };
}
