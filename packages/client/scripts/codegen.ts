// The client's generated part, made from the OpenAPI document that the built server serves: the
// document itself (openapi.json, shipped for other generators) and TypeScript types of its paths.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";

export const packageDir = join(import.meta.dirname, "..");
export const DOCUMENT_FILE = join(packageDir, "openapi.json");
export const TYPES_FILE = join(packageDir, "src", "generated", "openapi.ts");

/**
 * `/openapi.json` of the built server, asked of the app in process: an in-memory store, no
 * templates, on an ephemeral loopback port that closes at once. The server is not a package
 * dependency (the server ships the console, which uses this client), so it is found by path;
 * turbo builds it first (`generate` and `test` depend on `@agentrt/server#build`).
 */
export async function servedDocument(): Promise<string> {
  const server = await import(join(packageDir, "..", "..", "apps", "server", "dist", "index.js"));
  const hostDir = mkdtempSync(join(tmpdir(), "agentrt-client-gen-"));
  const running = await server.startServer(
    server.parseEnv({
      AGENTRT_PORT: "0",
      AGENTRT_DATABASE_URL: "memory:",
      AGENTRT_HOST_DIR: hostDir,
      AGENTRT_ADMIN_KEY: "art_client-codegen-key-0123456789abcdef",
      AGENTRT_LOG_LEVEL: "silent",
      AGENTRT_CONSOLE: "off",
    }),
  );
  try {
    const doc = await (await fetch(`${running.url}/openapi.json`)).json();
    return `${JSON.stringify(doc, null, 2)}\n`;
  } finally {
    await running.close();
    rmSync(hostDir, { recursive: true, force: true });
  }
}

const HEADER = `// Generated from the server's /openapi.json by scripts/generate.ts (openapi-typescript). Do not edit.
// Regenerate: pnpm --filter @agentrt/client generate
`;

/** TypeScript types (`paths`, `components`) of a document. */
export async function typesOf(document: string): Promise<string> {
  // `defaultNonNullable: false`: a field with a default is optional in a request body, as the server takes it.
  const ast = await openapiTS(JSON.parse(document), { alphabetize: true, defaultNonNullable: false });
  return HEADER + astToString(ast);
}
