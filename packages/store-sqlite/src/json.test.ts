import { describe, expect, it } from "vitest";
import { canonicalJson, fromJson, toJson } from "./json.js";

describe("canonicalJson", () => {
  it("ignores key order at every depth but not array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }),
    );
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: "1" }));
  });
});

describe("toJson/fromJson", () => {
  it("store undefined as NULL and read NULL as null", () => {
    expect(toJson(undefined)).toBeNull();
    expect(fromJson(null)).toBeNull();
    expect(fromJson(toJson({ a: [1] }))).toEqual({ a: [1] });
  });
});
