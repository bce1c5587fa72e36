import { Scalar } from "@scalar/hono-api-reference";
import { Hono } from "hono";
import { compress } from "hono/compress";
import type { AppEnv } from "../../lib/types.js";
import { builtAssetDir, createAssetReader } from "./static-assets.js";

/** Where the page loads the API reference's browser bundle from: this server, never a CDN. */
export const DOCS_SCRIPT_PATH = "/docs/scalar.js";

/**
 * The API reference at `/docs`, public like `/openapi.json`. Its script is the
 * `@scalar/api-reference` standalone bundle that the build copies into `dist/docs/`, so the page
 * works on a machine without internet; default fonts (from a CDN) and telemetry are off.
 */
export function createDocsRoutes(): Hono<AppEnv> {
  const read = createAssetReader(builtAssetDir("docs"));
  const app = new Hono<AppEnv>();
  app.get(
    "/docs",
    Scalar({
      url: "/openapi.json",
      pageTitle: "agentrt API",
      cdn: DOCS_SCRIPT_PATH,
      withDefaultFonts: false,
      telemetry: false,
      // Its developer toolbar and AI agent talk to Scalar's services; this page stays on this server.
      showDeveloperTools: "never",
      agent: { disabled: true },
    }),
  );
  app.get(DOCS_SCRIPT_PATH, compress(), (c) => {
    const asset = read("scalar.js");
    if (!asset) return c.text("API reference script not built: run the server package's build", 404);
    c.header("cache-control", "public, max-age=3600");
    return c.body(asset.body, 200, { "content-type": asset.type });
  });
  return app;
}
