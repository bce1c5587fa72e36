/**
 * Why a request template could not be rendered: `placeholder` (malformed, or a root the scope does
 * not have), `missing` (a value to put into text is missing, where the caller refuses that),
 * `origin` (placeholders in the scheme, host or port where the caller fixes the origin), `path` (a
 * value would be a `.`/`..` path segment), `header` (a header value holds CR, LF or NUL).
 */
export type RequestTemplateFailure = "placeholder" | "missing" | "origin" | "path" | "header";

export class RequestTemplateError extends Error {
  override name = "RequestTemplateError";
  readonly reason: RequestTemplateFailure;

  constructor(reason: RequestTemplateFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}
