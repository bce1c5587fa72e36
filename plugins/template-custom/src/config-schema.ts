import { z } from "zod";

/**
 * The code a `file` or `url` agent runs, captured when the agent was created or updated. It is
 * stored with the agent revision so every run of that revision executes exactly these bytes, even
 * if the file or URL changes later. Only `resolveConfig` sets it: it is not part of the config
 * schema, so a `resolved` field sent through the API is stripped before any hook sees it.
 */
export const ResolvedCodeSchema = z.object({
  source: z.string(),
  /** Hex sha256 of `source` (UTF-8); checked again before the code is compiled for a run. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Where the code came from: the final URL after redirects, or the path inside the code root. */
  origin: z.string(),
  fetchedAt: z.iso.datetime(),
});

/**
 * Config of an agent built from user code (the contract of `@agentrt/template-custom`): what a user
 * may send. Unknown fields, `resolved` included, are stripped.
 */
export const CustomConfigSchema = z.object({
  type: z.enum(["inline", "file", "url"]),
  /** The code itself (`inline`), a path relative to the operator's code root (`file`), or an https URL. */
  content: z.string().min(1),
  /** Exported function called with the run input and a small context. */
  entryPoint: z
    .string()
    .regex(/^[A-Za-z_$][\w$]*$/, "must be an identifier")
    .default("main"),
  /** Package names from the operator's allow-list, bundled with the code. */
  dependencies: z.array(z.string().min(1)).default([]),
  language: z.enum(["python", "javascript", "typescript"]),
  /** Wall-time limit of one run, in seconds. */
  timeout: z.number().int().min(1).max(300).default(30),
});

export type CustomConfig = z.output<typeof CustomConfigSchema>;
export type ResolvedCode = z.output<typeof ResolvedCodeSchema>;
/** The config as stored with a revision: `resolveConfig`'s result, with the pinned code of file/url agents. */
export type StoredCustomConfig = CustomConfig & { resolved?: ResolvedCode };
