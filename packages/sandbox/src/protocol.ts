/**
 * Messages between the pool (parent) and a sandbox worker process (child). Type-only, so the child
 * entry files can import it without pulling code across the process boundary.
 */
import type { PythonPackageBundle, SandboxLimits } from "./types.js";

export interface ChildError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export type ParentMessage =
  | {
      type: "run";
      id: number;
      code: string;
      entryPoint: string;
      inputJson: string;
      limits: SandboxLimits;
      fetch: boolean;
      /**
       * Python: the agent's declared packages. `files` travels only the first time a process gets a
       * bundle; the process keeps every bundle it was sent and finds later ones by `sha256`.
       */
      packages?: Omit<PythonPackageBundle, "files"> & { files?: PythonPackageBundle["files"] };
    }
  | { type: "check"; id: number; source: string; entryPoint: string; modules: string[] }
  | { type: "cancel"; id: number }
  | { type: "ping"; seq: number }
  | { type: "fetch-result"; id: number; callId: number; response?: HostFetchResponse; error?: string };

export type ChildMessage =
  | { type: "ready" }
  | { type: "pong"; seq: number; rssMb: number }
  | { type: "log"; id: number; line: string }
  | { type: "progress"; id: number; done: number; total: number }
  | { type: "fetch"; id: number; callId: number; request: HostFetchRequest }
  | { type: "done"; id: number; resultJson?: string; error?: ChildError }
  /** The child is about to exit on purpose (e.g. after killing an interpreter that ignored an interrupt). */
  | { type: "retire"; reason: string };

export interface HostFetchRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HostFetchResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
}
