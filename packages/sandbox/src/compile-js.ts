import { join } from "node:path";
import * as esbuild from "esbuild";
import { createCompileError, createEntryPointError } from "./compile-error.js";
import { checkDependencies, dependencyNotAllowed, packageNameOf } from "./dependencies.js";
import type { CompileOptions } from "./types.js";

/** Local the bundled IIFE assigns its exports to. */
const EXPORTS_LOCAL = "__agentrt_exports";
/** Global function the compiled script defines; calling it runs the user's top-level code and returns its exports. */
const MODULE_FUNCTION = "__agentrt_module";
const USER_FILE = "user-code";

/**
 * Bundles user JS/TS into one classic script (no imports left, so nothing is resolved at run time).
 * Only declared, allow-listed packages may be imported; relative and absolute paths are refused so the
 * code cannot pull host files into the bundle.
 */
export async function compileJavaScript(
  options: CompileOptions,
): Promise<{ code: string; entryPoint: string }> {
  const wanted = checkDependencies(options.dependencies, options.allowedDependencies);
  const refused: string[] = [];
  // esbuild names stdin `user-code`, or `<resolveDir>/user-code` when a resolveDir is given.
  const userFile = options.resolveDir ? join(options.resolveDir, USER_FILE) : USER_FILE;
  const gate: esbuild.Plugin = {
    name: "agentrt-dependency-gate",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.importer !== userFile) return undefined; // imports inside an allowed package resolve normally
        const name = packageNameOf(args.path);
        if (name && wanted.has(name)) return undefined;
        refused.push(name ?? args.path);
        return { errors: [{ text: `import "${args.path}" is not an allowed dependency` }] };
      });
    },
  };
  let bundle: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    bundle = await esbuild.build({
      stdin: {
        contents: options.source,
        loader: options.language === "typescript" ? "ts" : "js",
        sourcefile: USER_FILE,
        ...(options.resolveDir ? { resolveDir: options.resolveDir } : {}),
      },
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2023",
      write: false,
      metafile: true,
      outfile: "bundle.js",
      logLevel: "silent",
      plugins: [gate],
    });
  } catch (error) {
    if (refused.length > 0) throw dependencyNotAllowed(refused);
    throw toCompileError(error);
  }
  const output = Object.values(bundle.metafile.outputs)[0];
  const exports = output?.exports ?? [];
  const entryPoint = pickEntryPoint(options.entryPoint, exports);
  try {
    const script = await esbuild.transform(bundle.outputFiles[0]?.text ?? "", {
      format: "iife",
      globalName: EXPORTS_LOCAL,
      target: "es2023",
      logLevel: "silent",
    });
    // Defining a function instead of running the IIFE keeps the user's top-level code (and its errors)
    // inside the worker's guarded runner rather than in a bare script evaluation.
    const code = `function ${MODULE_FUNCTION}() {\n${script.code}\nreturn ${EXPORTS_LOCAL};\n}\n`;
    return { code, entryPoint };
  } catch (error) {
    throw toCompileError(error);
  }
}

/** `main` falls back to a default export, as documented for the user-code contract. */
function pickEntryPoint(entryPoint: string, exports: string[]): string {
  if (exports.includes(entryPoint)) return entryPoint;
  if (entryPoint === "main" && exports.includes("default")) return "default";
  throw createEntryPointError(entryPoint, exports);
}

function toCompileError(error: unknown): Error {
  const messages = (error as { errors?: esbuild.Message[] }).errors;
  if (!Array.isArray(messages) || messages.length === 0) return createCompileError([]);
  return createCompileError(
    messages.map((m) => ({
      line: m.location?.line ?? 1,
      column: (m.location?.column ?? 0) + 1,
      message: m.text,
    })),
  );
}
