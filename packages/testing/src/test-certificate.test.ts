import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestCertificate } from "./test-certificate.js";

describe("createTestCertificate", () => {
  it("makes a fresh self-signed certificate for the loopback names tests use", () => {
    const { key, cert } = createTestCertificate();
    expect(key).toContain("PRIVATE KEY");
    const x509 = new X509Certificate(cert);
    expect(x509.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(x509.checkHost("localhost")).toBe("localhost");
    expect(x509.checkHost("code.test")).toBe("code.test");
    expect(createTestCertificate().cert).not.toBe(cert);
  });
});
