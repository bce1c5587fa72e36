// A throwaway host app for benchmarks: the fixture templates plus the built first-party templates.
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
// @ts-expect-error plain JS fixture helper
import { createFixtureHost } from "../fixtures/templates/create-host.mjs";

const root = resolve(import.meta.dirname, "..");
const serverDir = join(root, "apps/server");

export const FIRST_PARTY = [
  "@agentrt/template-task",
  "@agentrt/template-conversation",
  "@agentrt/template-custom",
];

export function firstPartyLinks(): Record<string, string> {
  const require = createRequire(join(serverDir, "package.json"));
  return Object.fromEntries(
    FIRST_PARTY.map((name) => [name, dirname(require.resolve(`${name}/package.json`))]),
  );
}

export function createBenchHost(
  options: { fixtures?: Record<string, string>; links?: Record<string, string> } = {},
) {
  const dir: string = createFixtureHost({ resolveFrom: serverDir, ...options });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
