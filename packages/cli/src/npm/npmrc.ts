import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Reads an .npmrc (ini `key=value` lines, `#`/`;` comments, `${VAR}` expansion). Missing file → {}. */
export function readNpmrc(file: string, env: Record<string, string | undefined>): Record<string, string> {
  if (!existsSync(file)) return {};
  const settings: Record<string, string> = {};
  for (const raw of readFileSync(file, "utf8").split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const eq = line.indexOf("=");
    if (eq === -1) continue;
    const value = line
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .replace(/\$\{([^}]+)\}/g, (_, name: string) => env[name] ?? "");
    settings[line.slice(0, eq).trim()] = value;
  }
  return settings;
}

/** The project's .npmrc: next to the nearest package.json at or above `dir` (npm's project root). */
export function projectNpmrc(dir: string): string {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, "package.json")) || dirname(current) === current) {
      return join(current, ".npmrc");
    }
  }
}
