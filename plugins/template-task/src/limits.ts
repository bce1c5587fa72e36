/** Hard limits of the contract; documented in the README and enforced by the schemas. */
export const LIMITS = {
  maxSteps: 20,
  minStepTimeout: 10,
  maxStepTimeout: 3600,
  maxRetryCount: 5,
  maxResponseBytes: 64 * 1024 * 1024,
} as const;
