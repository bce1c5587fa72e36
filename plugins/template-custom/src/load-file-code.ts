import { constants } from "node:fs";
import { open, realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { createCodeError } from "./code-error.js";
import { CustomErrorCode } from "./errors.js";

const { CODE_FETCH_FAILED, PATH_NOT_ALLOWED } = CustomErrorCode;

export interface LoadFileCodeOptions {
  /** The operator's code root; file sources are refused without one. */
  codeRoot: string | undefined;
  /** Largest file accepted, in bytes. */
  maxBytes: number;
}

export interface LoadedFileCode {
  source: string;
  /** The file's path relative to the code root, symlinks resolved. */
  path: string;
}

function pathNotAllowed(message: string, reason: string) {
  return createCodeError(PATH_NOT_ALLOWED, message, { reason });
}

/**
 * Reads user code from a path relative to the operator's code root. Absolute paths and `..`
 * segments are refused outright; the fully resolved path (symlinks included) must still lie inside
 * the root, and the file is opened with `O_NOFOLLOW` so a last-moment symlink swap is refused too.
 */
export async function loadFileCode(path: string, options: LoadFileCodeOptions): Promise<LoadedFileCode> {
  if (!options.codeRoot)
    throw pathNotAllowed("file sources are disabled (no codeRoot configured)", "disabled");
  if (path.includes("\0")) throw pathNotAllowed("the path contains a NUL byte", "invalid");
  if (isAbsolute(path)) throw pathNotAllowed(`absolute paths are not allowed: ${path}`, "absolute");
  if (path.split(/[\\/]/).includes(".."))
    throw pathNotAllowed(`".." is not allowed in paths: ${path}`, "traversal");

  const root = await realpath(options.codeRoot);
  let real: string;
  try {
    real = await realpath(resolve(root, path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw createCodeError(CODE_FETCH_FAILED, `file not found in the code root: ${path}`, {
        reason: "missing",
      });
    }
    throw createCodeError(CODE_FETCH_FAILED, `cannot read ${path}: ${(error as Error).message}`, {
      reason: "io",
    });
  }
  if (!real.startsWith(root + sep)) {
    throw pathNotAllowed(`${path} resolves outside the code root`, "symlink");
  }

  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ELOOP")
        throw pathNotAllowed(`${path} changed while it was being opened`, "symlink");
      throw createCodeError(CODE_FETCH_FAILED, `cannot read ${path}: ${error.message}`, { reason: "io" });
    },
  );
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw createCodeError(CODE_FETCH_FAILED, `${path} is not a regular file`, { reason: "not-a-file" });
    }
    // Read one byte past the cap so a file that grew after fstat is still caught.
    const buffer = Buffer.alloc(Math.min(stat.size, options.maxBytes) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (stat.size > options.maxBytes || bytesRead > options.maxBytes) {
      throw createCodeError(CODE_FETCH_FAILED, `${path} is larger than ${options.maxBytes} bytes`, {
        reason: "size",
      });
    }
    return { source: buffer.subarray(0, bytesRead).toString("utf8"), path: relative(root, real) };
  } finally {
    await handle.close();
  }
}
