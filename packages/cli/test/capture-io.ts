import type { CliIo } from "../src/io.js";

export interface CapturedIo extends CliIo {
  out: string;
  err: string;
}

/** An in-memory CliIo: what a command printed ends up in `out` and `err`. */
export function captureIo(cwd: string, env: Record<string, string | undefined> = {}): CapturedIo {
  const io: CapturedIo = {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, AGENTRT_LOG_LEVEL: "silent", ...env },
    out: "",
    err: "",
    stdout: (text) => {
      io.out += text;
    },
    stderr: (text) => {
      io.err += text;
    },
  };
  return io;
}
