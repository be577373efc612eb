// Literal secrets anywhere in devices.yaml or an organization's file are refused.
import { afterAll, describe, expect, it } from "vitest";
import { secretKind } from "../../src/inventory/checks/secrets.js";
import { col } from "./col.js";
import { cleanupInventories, expectFinding, KAMEYAMA, kameyama, replaceLine, validateWith } from "./edit.js";

afterAll(cleanupInventories);

describe("literal secrets", () => {
  it("refuses a private key pasted into a device description", () => {
    const line = '  - { name: fw-nft, description: "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA", platform: nftables, kinds: [firewall], root: state/devices/fw-nft }';
    const r = validateWith({ "devices.yaml": replaceLine(2, line) });
    expectFinding(r.diagnostics, { severity: "error", code: "literal-secret", file: "devices.yaml", line: 2, column: col(line, '"-----'), path: "devices[0].description", message: "a PEM block" });
    expect(r.inventory).toBeUndefined();
  });

  it("refuses a crypt hash in an organization's file, even where the schema refuses it too", () => {
    const line = "  - { name: a, from: [internet], to: [web], protocol: tcp, ports: [443], action: accept, comment: '$6$rounds=5000$saltsalt$hash' }";
    const r = validateWith({ [KAMEYAMA]: kameyama("firewall:", line) });
    expectFinding(r.diagnostics, { code: "literal-secret", file: KAMEYAMA, line: 12, column: col(line, "'$6$"), path: "firewall[0].comment", message: "a password hash" });
  });

  it("refuses a NAME_PASSWORD=value assignment in a comment", () => {
    const line = "  - { name: a, from: [internet], to: [web], protocol: tcp, ports: [443], action: accept, comment: SCCONF_FW1_PASSWORD=hunter2 }";
    const r = validateWith({ [KAMEYAMA]: kameyama("firewall:", line) });
    expectFinding(r.diagnostics, { code: "literal-secret", file: KAMEYAMA, line: 12, column: col(line, "SCCONF_FW1"), message: "a secret assignment" });
  });

  it("refuses a password key on a device (schema), naming it a secret", () => {
    const line = "  - { name: fw-nft, platform: nftables, kinds: [firewall], root: state/devices/fw-nft, password: hunter2 }";
    const r = validateWith({ "devices.yaml": replaceLine(2, line) });
    expectFinding(r.diagnostics, { code: "literal-secret", file: "devices.yaml", line: 2, column: col(line, "password") });
  });

  it("accepts the name of the environment variable that holds a password", () => {
    const line = "  - { name: fw-nft, platform: nftables, kinds: [firewall], transport: ssh, address: 192.0.2.1, user: scconf, auth: { method: password, passwordEnv: SCCONF_FW1_PASSWORD }, hostKey: SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8 }";
    expect(validateWith({ "devices.yaml": replaceLine(2, line) }).diagnostics).toEqual([]);
  });

  it.each([
    ["-----BEGIN RSA PRIVATE KEY-----", true],
    ["$1$abc$def", true],
    ["$2y$10$abcdefghijklmnopqrstuv", true],
    ["$y$j9T$salt$hash", true],
    ["DB_SECRET: s3cr3t", true],
    ["password=hunter2", true],
    ["SCCONF_FW1_PASSWORD", false],
    ["パスワード変更手順は別紙", false],
    ["v=spf1 ip4:198.51.100.33 -all", false],
  ])("secretKind(%j) finds a secret: %s", (value, found) => {
    expect(secretKind(value) !== undefined).toBe(found);
  });
});
