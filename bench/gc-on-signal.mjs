// Preloaded into a bench's server process (with --expose-gc): SIGUSR2 runs full collections, so the
// bench reads the server's live heap from /metrics instead of garbage waiting for the collector.
process.on("SIGUSR2", () => {
  globalThis.gc();
  globalThis.gc();
});
