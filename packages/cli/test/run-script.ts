import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface ScriptResult {
  code: number | null;
  output: string;
}

/** Runs a command line the way `npm run` does: a shell in `dir`, with node_modules/.bin first on PATH. */
export function runShell(
  dir: string,
  command: string,
  env: Record<string, string> = {},
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], {
      cwd: dir,
      env: {
        ...process.env,
        NO_COLOR: "1",
        ...env,
        PATH: `${join(dir, "node_modules", ".bin")}${delimiter}${process.env.PATH}`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

/** Runs one of the package's own `scripts`, unmodified. */
export function runScript(dir: string, name: string): Promise<ScriptResult> {
  const { scripts } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const script = scripts[name];
  if (!script) throw new Error(`no "${name}" script in ${dir}`);
  return runShell(dir, script);
}
