import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";

/**
 * What a package's own built files import when a fresh Node process imports its entry
 * (`<distDir>/index.js`), recorded by a module resolve hook. Templates use it to prove their entry
 * stays cheap for discovery (heavy modules loaded lazily) without timing anything.
 */
export function entryImports(distDir: string | URL): string[] {
  const dist = (
    typeof distDir === "string" ? pathToFileURL(distDir.endsWith("/") ? distDir : `${distDir}/`) : distDir
  ).href;
  const script = `
    import { registerHooks } from "node:module";
    const seen = [];
    registerHooks({
      resolve(specifier, context, next) {
        if (context.parentURL?.startsWith(${JSON.stringify(dist)})) seen.push(specifier);
        return next(specifier, context);
      },
    });
    await import(${JSON.stringify(`${dist}index.js`)});
    console.log(JSON.stringify(seen));`;
  return JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }),
  );
}
