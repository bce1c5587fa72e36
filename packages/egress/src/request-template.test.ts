import { describe, expect, it } from "vitest";
import type { PathCheck } from "./placeholders.js";
import {
  fixedOrigin,
  type RenderRequestOptions,
  type RequestTemplate,
  renderRequest,
  requestTemplateIssues,
  type SecretRef,
} from "./request-template.js";

const check: PathCheck = (segments) => (segments[0] === "args" ? undefined : 'must start with "args"');
const secrets: Record<string, string> = { token: "Bearer s3cret", broken: "x\r\nx-admin: yes" };
const options: RenderRequestOptions = {
  check,
  missing: "refuse",
  async readSecret(ref: SecretRef) {
    const value = "secret" in ref ? secrets[ref.secret] : undefined;
    if (value === undefined) throw new Error(`no secret ${JSON.stringify(ref)}`);
    return value;
  },
};
const render = (template: Partial<RequestTemplate>, args: Record<string, unknown>, extra = {}) =>
  renderRequest(
    { method: "GET", url: "https://api.example.com/", ...template },
    { args },
    { ...options, ...extra },
  );

describe("renderRequest: the URL", () => {
  it("percent-encodes values in the path and the query", async () => {
    const { url } = await render(
      { url: "https://api.example.com/cities/{{args.city}}/weather?units={{args.units}}&at={{args.at}}" },
      { city: "São Paulo/x", units: "a&b=c#d", at: 3 },
    );
    expect(url).toBe("https://api.example.com/cities/S%C3%A3o%20Paulo%2Fx/weather?units=a%26b%3Dc%23d&at=3");
  });

  it("does not encode a value twice that a urlencode filter already encoded", async () => {
    const { url } = await render({ url: "https://api.example.com/?q={{args.q | urlencode}}" }, { q: "a b" });
    expect(url).toBe("https://api.example.com/?q=a%20b");
  });

  it.each([
    ["../admin", "https://api.example.com/items/..%2Fadmin"],
    ["@evil.com", "https://api.example.com/items/%40evil.com"],
    ["http://127.0.0.1/", "https://api.example.com/items/http%3A%2F%2F127.0.0.1%2F"],
    ["\\\\evil.com", "https://api.example.com/items/%5C%5Cevil.com"],
  ])("keeps the configured origin when an argument is %j", async (id, expected) => {
    const { url } = await render({ url: "https://api.example.com/items/{{args.id}}" }, { id });
    expect(url).toBe(expected);
    expect(new URL(url).origin).toBe("https://api.example.com");
  });

  it("refuses a value that would be a . or .. path segment, but not in the query", async () => {
    for (const id of [".", ".."]) {
      await expect(render({ url: "https://api.example.com/a/{{args.id}}/b" }, { id })).rejects.toMatchObject({
        name: "RequestTemplateError",
        reason: "path",
      });
    }
    const { url } = await render({ url: "https://api.example.com/a?id={{args.id}}" }, { id: ".." });
    expect(url).toBe("https://api.example.com/a?id=..");
  });

  it("refuses placeholders in the scheme, host or port unless the origin may be templated", async () => {
    for (const url of [
      "{{args.url}}",
      "https://{{args.host}}/x",
      "https://api.example.com:{{args.port}}/x",
      "https://api.example.com{{args.path}}",
    ]) {
      await expect(render({ url }, { url: "x", host: "x", port: 1, path: "/x" })).rejects.toMatchObject({
        reason: "origin",
      });
    }
    const whole = await render(
      { url: "{{args.url}}/x?y={{args.y}}" },
      { url: "http://10.0.0.1", y: "a&b" },
      {
        templatedOrigin: true,
      },
    );
    expect(whole.url).toBe("http://10.0.0.1/x?y=a&b");
  });

  it("refuses a missing argument with a coded error", async () => {
    await expect(render({ url: "https://api.example.com/{{args.id}}" }, {})).rejects.toMatchObject({
      reason: "missing",
      message: "{{args.id}} has no value",
    });
  });
});

describe("renderRequest: headers and body", () => {
  it("renders header templates and reads secret references per request", async () => {
    const { headers } = await render(
      { headers: { authorization: { secret: "token" }, "x-city": "city {{args.city}}" } },
      { city: "Oslo" },
    );
    expect(Object.fromEntries(headers)).toEqual({ authorization: "Bearer s3cret", "x-city": "city Oslo" });
    await expect(render({ headers: { authorization: { secret: "gone" } } }, {})).rejects.toThrow("no secret");
  });

  it("refuses CR or LF in a header value, from an argument or a secret", async () => {
    await expect(
      render({ headers: { "x-city": "{{args.city}}" } }, { city: "Oslo\r\nx-admin: yes" }),
    ).rejects.toMatchObject({
      name: "RequestTemplateError",
      reason: "header",
      message: expect.stringContaining("x-city"),
    });
    await expect(render({ headers: { authorization: { secret: "broken" } } }, {})).rejects.toMatchObject({
      reason: "header",
    });
  });

  it("sends a JSON body with values inserted as JSON", async () => {
    const request = await render(
      {
        method: "POST",
        body: { city: "{{args.city}}", days: "{{args.days}}", note: 'said "{{args.city}}"', all: "{{args}}" },
      },
      { city: 'O"slo', days: [1, 2] },
    );
    expect(JSON.parse(request.body!)).toEqual({
      city: 'O"slo',
      days: [1, 2],
      note: 'said "O"slo"',
      all: { city: 'O"slo', days: [1, 2] },
    });
    expect(request.headers.get("content-type")).toBe("application/json");
  });

  it("sends a string body as rendered text without a content type", async () => {
    const request = await render({ method: "POST", body: "city={{args.city}}" }, { city: "Oslo" });
    expect(request).toMatchObject({ method: "POST", body: "city=Oslo" });
    expect(request.headers.has("content-type")).toBe(false);
  });
});

describe("fixedOrigin", () => {
  it("is the written-out origin, or undefined when any of it is templated", () => {
    expect(fixedOrigin("https://api.example.com:8443/x/{{args.a}}")).toBe("https://api.example.com:8443");
    expect(fixedOrigin("HTTP://api.example.com?q={{args.q}}")).toBe("HTTP://api.example.com");
    expect(fixedOrigin("https://api.example.com")).toBe("https://api.example.com");
    expect(fixedOrigin("https://{{args.h}}/")).toBeUndefined();
    expect(fixedOrigin("ftp://api.example.com/")).toBeUndefined();
  });
});

describe("requestTemplateIssues", () => {
  it("finds nothing wrong with a good template", () => {
    expect(
      requestTemplateIssues(
        {
          method: "POST",
          url: "https://api.example.com/{{args.a}}",
          headers: { "x-a": "{{args.a}}", authorization: { secret: "{{not.a.template}}" } },
          body: { a: "{{args.a}}" },
        },
        { check },
      ),
    ).toEqual([]);
  });

  it("reports each problem at its field", () => {
    expect(
      requestTemplateIssues(
        {
          method: "GET",
          url: "https://{{args.host}}/",
          headers: { "bad name": "x", "x-a": "a\nb", "x-b": "{{env.HOME}}" },
          body: { deep: ["{{args.a | upper}}"] },
        },
        { check },
      ),
    ).toEqual([
      {
        path: ["url"],
        message: expect.stringContaining("placeholders may stand only in the path and query"),
      },
      { path: ["headers", "bad name"], message: '"bad name" is not a header name' },
      { path: ["headers", "x-a"], message: "a header value may not hold a line break or NUL" },
      { path: ["headers", "x-b"], message: expect.stringContaining('must start with "args"') },
      { path: ["body", "deep", 0], message: expect.stringContaining('unknown filter "upper"') },
    ]);
  });

  it("accepts a templated origin where allowed, and checks a fixed one is a URL", () => {
    expect(requestTemplateIssues({ method: "GET", url: "{{args.url}}" }, { templatedOrigin: true })).toEqual(
      [],
    );
    expect(requestTemplateIssues({ method: "GET", url: "https://exa mple.com/" }, {})).toEqual([
      { path: ["url"], message: '"https://exa mple.com" is not a URL' },
    ]);
  });
});
