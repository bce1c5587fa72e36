import { execFileSync } from "node:child_process";

/**
 * What the package's own built files import when a fresh Node process imports the entry
 * (`dist/index.js`), recorded by a module resolve hook: exactly what discovery pays for beyond
 * core, checked without timing anything.
 */
export function entryImports(): string[] {
  const dist = new URL("../dist/", import.meta.url).href;
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
