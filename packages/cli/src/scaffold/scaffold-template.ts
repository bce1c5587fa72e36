import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { AgentrtError, ErrorCode } from "@agentrt/core";
import { UsageError } from "../exit-codes.js";
import { renderTemplateFiles } from "./template-files.js";
import { parseTemplateNames, type TemplateNames } from "./template-name.js";
import { linkedVersions, scaffoldVersions } from "./versions.js";

export interface ScaffoldOptions {
  /** `weather`, `agentrt-template-weather` or `@scope/name`. */
  name: string;
  /** Target directory; default `<cwd>/<name>`. It must not exist or be empty. */
  dir?: string;
  cwd?: string;
  /** Range for the @agentrt/* dependencies; default the running core's `^version`. */
  coreVersion?: string;
  /** Link mode: a local agentrt checkout whose packages the dev dependencies point at (`file:`). */
  agentrt?: string;
}

export interface ScaffoldResult extends TemplateNames {
  dir: string;
  files: string[];
}

/** Writes a complete template package that builds, passes its tests and is publint-clean as is. */
export function scaffoldTemplate(options: ScaffoldOptions): ScaffoldResult {
  const names = parseTemplateNames(options.name);
  const dir = resolve(options.cwd ?? process.cwd(), options.dir ?? names.dirName);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new AgentrtError(ErrorCode.BAD_REQUEST, `${dir} already exists and is not empty`);
  }
  if (options.agentrt !== undefined && options.coreVersion !== undefined) {
    throw new UsageError(
      "--agentrt and --core-version exclude each other: link mode uses the checkout's versions",
    );
  }
  const cwd = options.cwd ?? process.cwd();
  const versions =
    options.agentrt === undefined
      ? scaffoldVersions(options.coreVersion)
      : linkedVersions(options.agentrt, cwd);
  const files = renderTemplateFiles(names, versions);
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return { ...names, dir, files: Object.keys(files) };
}
