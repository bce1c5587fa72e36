// The local registry as authors start it: `pnpm registry` (scripts/registry/registry.ts), the one
// command that starts verdaccio and publishes every @agentrt/* package built from this checkout.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { stopProcess } from "./run.js";

export interface Registry {
  url: string;
  /** The publish token the command printed. */
  token: string;
  /** The lines the command told authors to put in their .npmrc. */
  npmrc: string;
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, "../..");

/** Starts `node scripts/registry/registry.ts` and reads the .npmrc lines it prints once ready. */
export async function startLocalRegistry(options: { state: string; release?: boolean }): Promise<Registry> {
  const args = ["scripts/registry/registry.ts", "--port", "0", "--state", options.state];
  if (options.release) args.push("--release");
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: process.env,
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const printed = await new Promise<string>((done, fail) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("Ctrl-C stops it.")) done(stdout);
    });
    child.once("exit", (code) =>
      fail(new Error(`pnpm registry exited with ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`)),
    );
  });
  const registryLine = /^\s*(registry=(\S+))$/m.exec(printed);
  const tokenLine = /^\s*(\/\/\S+:_authToken=(\S+))$/m.exec(printed);
  if (!registryLine || !tokenLine) throw new Error(`unexpected pnpm registry output:\n${printed}`);
  return {
    url: registryLine[2]!.replace(/\/$/, ""),
    token: tokenLine[2]!,
    npmrc: `${registryLine[1]}\n${tokenLine[1]}\n`,
    stop: () => stopProcess(child),
  };
}
