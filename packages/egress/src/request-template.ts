import { type PathCheck, type Placeholder, parsePlaceholders } from "./placeholders.js";
import {
  type Insert,
  type RenderOptions,
  renderString,
  renderValue,
  type TemplateScope,
} from "./render-template.js";
import { RequestTemplateError } from "./request-template-error.js";

/** A header value kept out of configs: an environment variable or a secret of the host. */
export type SecretRef = { env: string } | { secret: string };

/**
 * One outbound request as a config writes it. `url`, string header values and `body` may hold
 * placeholders; a string body is sent as text, any other JSON value as JSON.
 */
export interface RequestTemplate {
  method: string;
  url: string;
  headers?: Readonly<Record<string, string | SecretRef>> | undefined;
  body?: unknown;
}

export interface RequestTemplateOptions extends RenderOptions {
  /**
   * Placeholders in the scheme, host or port (`{{input.url}}`): the URL is then rendered verbatim
   * and only the egress policy decides where it may go. Default: refused, the origin is fixed.
   */
  templatedOrigin?: boolean;
}

export interface RenderRequestOptions extends RequestTemplateOptions {
  /** Reads a referenced header value, per request (so a rotated secret takes effect at once). */
  readSecret(ref: SecretRef, header: string): Promise<string>;
}

export interface RenderedRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string | undefined;
}

export interface TemplateIssue {
  path: (string | number)[];
  message: string;
}

/** `http(s)://authority` written out, up to where the path, query or fragment begins. */
const ORIGIN = /^https?:\/\/[^/?#{}]*(?=[/?#]|$)/i;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_HEADER_TEXT = /[\r\n\0]/;
const DOT_SEGMENT = /^\.{1,2}$/;

/** The literal `scheme://host:port` a URL template starts with, or undefined when it is templated. */
export function fixedOrigin(url: string): string | undefined {
  return ORIGIN.exec(url)?.[0];
}

/**
 * A value's text percent-encoded for the path or query, so it cannot add a segment, a query
 * parameter, or reach the authority; one already `urlencode`d is not encoded twice. A value that
 * would be a whole `.` or `..` segment is refused: the URL parser would climb the path with it.
 */
function urlInsert(pathEnd: number): Insert {
  return (text: string, placeholder: Placeholder, offset: number) => {
    const encoded = placeholder.filters.at(-1) === "urlencode" ? text : encodeURIComponent(text);
    if (offset < pathEnd && DOT_SEGMENT.test(encoded)) {
      throw new RequestTemplateError("path", `${placeholder.raw} would be the path segment "${encoded}"`);
    }
    return encoded;
  };
}

function originRefused(url: string): RequestTemplateError {
  return new RequestTemplateError(
    "origin",
    `"${url}" must start with a written-out http(s)://host[:port]; placeholders may stand only in the path and query`,
  );
}

function renderUrl(url: string, scope: TemplateScope, options: RequestTemplateOptions): string {
  const origin = fixedOrigin(url);
  if (origin === undefined) {
    if (!options.templatedOrigin) throw originRefused(url);
    return renderString(url, scope, options);
  }
  const rest = url.slice(origin.length);
  const pathEnd = rest.search(/[?#]/);
  return origin + renderString(rest, scope, options, urlInsert(pathEnd === -1 ? rest.length : pathEnd));
}

function checkHeaderText(name: string, text: string): void {
  if (BAD_HEADER_TEXT.test(text)) {
    throw new RequestTemplateError("header", `header ${name}: the value holds a line break or NUL`);
  }
}

async function renderHeaders(
  template: RequestTemplate,
  scope: TemplateScope,
  options: RenderRequestOptions,
): Promise<Headers> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(template.headers ?? {})) {
    const text =
      typeof value === "string" ? renderString(value, scope, options) : await options.readSecret(value, name);
    checkHeaderText(name, text);
    headers.set(name, text);
  }
  return headers;
}

/**
 * Renders a request template against a scope: placeholders in the URL's path and query are
 * percent-encoded and never change its scheme, host or port (unless `templatedOrigin` lets the
 * config template those, when the egress policy alone judges the address); header values may
 * not hold CR/LF; a JSON body gets values as JSON, never spliced into JSON text. Throws
 * `RequestTemplateError`, or what `readSecret` throws.
 */
export async function renderRequest(
  template: RequestTemplate,
  scope: TemplateScope,
  options: RenderRequestOptions,
): Promise<RenderedRequest> {
  const url = renderUrl(template.url, scope, options);
  const headers = await renderHeaders(template, scope, options);
  let body: string | undefined;
  if (typeof template.body === "string") body = renderString(template.body, scope, options);
  else if (template.body !== undefined) {
    body = JSON.stringify(renderValue(template.body, scope, options));
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return { method: template.method, url, headers, body };
}

/** Every string of a JSON value with its path (for checks of the placeholders in it). */
export function jsonStrings(
  value: unknown,
  path: (string | number)[],
): { path: (string | number)[]; text: string }[] {
  if (typeof value === "string") return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => jsonStrings(item, [...path, i]));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => jsonStrings(item, [...path, key]));
  }
  return [];
}

function urlIssue(url: string, options: Omit<RequestTemplateOptions, "check">): string | undefined {
  const origin = fixedOrigin(url);
  if (origin === undefined) return options.templatedOrigin ? undefined : originRefused(url).message;
  if (!URL.canParse(origin)) return `"${origin}" is not a URL`;
  return undefined;
}

/**
 * What is wrong with a template before any request (for config validation, paths relative to the
 * template): a templated origin where it is fixed, an origin that is not a URL, a header name that
 * is not a token or a header text with CR/LF, and, when `check` is given, malformed placeholders.
 */
export function requestTemplateIssues(
  template: RequestTemplate,
  options: Omit<RequestTemplateOptions, "check"> & { check?: PathCheck | undefined },
): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const url = urlIssue(template.url, options);
  if (url) issues.push({ path: ["url"], message: url });
  for (const [name, value] of Object.entries(template.headers ?? {})) {
    if (!HEADER_NAME.test(name))
      issues.push({ path: ["headers", name], message: `"${name}" is not a header name` });
    else if (typeof value === "string" && BAD_HEADER_TEXT.test(value)) {
      issues.push({ path: ["headers", name], message: "a header value may not hold a line break or NUL" });
    }
  }
  const { check } = options;
  if (!check) return issues;
  const strings = [
    { path: ["url"], text: template.url },
    ...Object.entries(template.headers ?? {}).flatMap(([name, value]) =>
      typeof value === "string" ? [{ path: ["headers", name], text: value }] : [],
    ),
    ...jsonStrings(template.body, ["body"]),
  ];
  for (const { path, text } of strings) {
    const parsed = parsePlaceholders(text, check);
    if (!parsed.ok) issues.push({ path, message: parsed.message });
  }
  return issues;
}
