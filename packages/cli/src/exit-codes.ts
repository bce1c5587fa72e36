export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Wrong arguments: reported with a pointer to `--help` and exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
