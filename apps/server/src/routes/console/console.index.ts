import { Hono } from "hono";
import { compress } from "hono/compress";
import type { AppEnv } from "../../lib/types.js";
import { builtAssetDir, createAssetReader } from "./static-assets.js";

/**
 * The console page may load only this server's own files and talk only to this server: no inline
 * script or style, no eval, no framing, no plugins, no foreign form targets.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The web console at `/console`: the static build of `apps/console`, copied into this package's
 * `dist/console` at build time. Public like `/docs` (files only, no data): every call the page makes
 * goes to `/v1` with the API key the user signs in with, through the same auth and scopes.
 * Paths that are no file get `index.html`, so the console's own routes survive a reload.
 */
export function createConsoleRoutes(): Hono<AppEnv> {
  const read = createAssetReader(builtAssetDir("console"));
  const app = new Hono<AppEnv>();
  app.use("/console", compress()).use("/console/*", compress());
  app.get("/console", (c) => c.redirect("/console/"));
  app.get("/console/*", (c) => {
    const path = c.req.path.slice("/console/".length);
    const file = path ? read(path) : undefined;
    const asset = file ?? read("index.html");
    if (!asset) return c.text("The console is not built: run the server package's build", 404);
    c.header("content-security-policy", CONSOLE_CSP);
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "no-referrer");
    // Vite names built files by content hash, so they never change; index.html always revalidates.
    c.header(
      "cache-control",
      file && path.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache",
    );
    return c.body(asset.body, 200, { "content-type": asset.type });
  });
  return app;
}
