export { compileUserCode } from "./compile.js";
export { SANDBOX_ERRORS, SandboxErrorCode } from "./errors.js";
export { DEFAULT_SANDBOX_LIMITS } from "./limits.js";
export { createSandboxPool } from "./pool.js";
export type {
  CompiledCode,
  CompileOptions,
  SandboxLanguage,
  SandboxLimits,
  SandboxPool,
  SandboxPoolOptions,
  SandboxPoolStats,
  SandboxRunRequest,
  SandboxRunResult,
} from "./types.js";
