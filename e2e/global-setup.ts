// One local registry for every e2e file: started with the command authors use (`pnpm registry`),
// publishing with the release flow, so the release flow itself is under test too.
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startLocalRegistry } from "./lib/local-registry.js";

export interface ProvidedRegistry {
  url: string;
  token: string;
  npmrc: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    registry: ProvidedRegistry;
  }
}

export default async function setup(project: TestProject) {
  const registry = await startLocalRegistry({
    // Proxied third-party packages are kept here between runs (git-ignored).
    state: join(import.meta.dirname, ".cache", "registry"),
    // AGENTRT_E2E_RELEASE=0 publishes with plain `pnpm -r publish` instead: quicker while iterating.
    release: process.env.AGENTRT_E2E_RELEASE !== "0",
  });
  project.provide("registry", { url: registry.url, token: registry.token, npmrc: registry.npmrc });
  return () => registry.stop();
}
