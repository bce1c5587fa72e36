import { type ChildProcess, spawn } from "node:child_process";
import { stopProcess } from "./run.js";

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts an installed bin (`agentrt-server`, or `agentrt dev …` with `args`) with this test's Node
 * (24) and waits for the URL it prints.
 */
export async function startServerProcess(
  bin: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; args?: string[] },
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [bin, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const stop = () => stopProcess(child);
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`agentrt-server exited with ${code}:\n${output}`)));
  });
  return { url, child, output: () => output, stop };
}
