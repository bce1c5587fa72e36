import { readFileSync } from "node:fs";

interface Manifest {
  version: string;
  agentrt: { coreApi: string };
}

/**
 * The package's own package.json, read at load time so the template reports exactly what is
 * installed and declares the same core range as its manifest (`../` is right from `src/` and `dist/`).
 */
const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as Manifest;

export const PACKAGE_VERSION = manifest.version;
export const CORE_API_RANGE = manifest.agentrt.coreApi;
