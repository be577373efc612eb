// Devices: what they carry and how they are reached.
import { afterAll, describe, expect, it } from "vitest";
import { col } from "./col.js";
import { cleanupInventories, expectFinding, replaceLine, validateWith } from "./edit.js";

afterAll(cleanupInventories);

const DEVICES = "devices.yaml";

describe("devices", () => {
  it("refuses a device carrying a kind its platform does not render", () => {
    const line = "  - { name: fw-nft, platform: nftables, kinds: [firewall, dns], root: state/devices/fw-nft }";
    const r = validateWith({ [DEVICES]: replaceLine(2, line) });
    expectFinding(r.diagnostics, {
      severity: "error", code: "device-kind", file: DEVICES, line: 2, column: col(line, "dns"), path: "devices[0].kinds[1]",
      message: "the nftables platform does not render dns; it renders firewall",
    });
  });

  it("refuses a change kind that no device carries, at each organization's first use", () => {
    const r = validateWith({ [DEVICES]: replaceLine(12, "") });
    const hint = "add a device with kinds: [mailRelay] in devices.yaml";
    expect(expectFinding(r.diagnostics, { severity: "error", code: "no-device", file: "orgs/kiho.yaml", line: 21, column: 5, path: "mailRelay[0]" }).hint).toBe(hint);
    expectFinding(r.diagnostics, { code: "no-device", file: "orgs/mie-pref.yaml", line: 43, column: 5 });
    expectFinding(r.diagnostics, { code: "no-device", file: "orgs/tsu.yaml", line: 30, column: 5 });
    expect(r.errors).toBe(3);
  });

  it("refuses an ssh device without user, auth and hostKey, naming each missing field", () => {
    const line = "  - { name: fw-nft, platform: nftables, kinds: [firewall], transport: ssh, address: 192.0.2.1 }";
    const r = validateWith({ [DEVICES]: replaceLine(2, line) });
    for (const field of ["user", "auth", "hostKey"]) {
      expectFinding(r.diagnostics, { severity: "error", code: "device-transport", file: DEVICES, line: 2, column: 5, path: `devices[0].${field}`, message: `has no ${field}` });
    }
    expect(r.errors).toBe(3);
  });

  it("accepts a complete netconf device", () => {
    const line = "  - { name: acl-nc, platform: ietf-acl, kinds: [firewall], transport: netconf, address: 192.0.2.2, port: 830, user: scconf, auth: { method: agent }, hostKey: SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8 }";
    expect(validateWith({ [DEVICES]: replaceLine(5, line) }).diagnostics).toEqual([]);
  });

  it("refuses a local device without root and warns about remote fields on it", () => {
    const line = "  - { name: fw-nft, platform: nftables, kinds: [firewall], address: 192.0.2.1, user: scconf }";
    const r = validateWith({ [DEVICES]: replaceLine(2, line) });
    expectFinding(r.diagnostics, { severity: "error", code: "device-transport", file: DEVICES, line: 2, column: 5, path: "devices[0].transport", message: "has no root" });
    expectFinding(r.diagnostics, { severity: "warning", code: "device-transport", file: DEVICES, line: 2, column: col(line, "192.0.2.1"), path: "devices[0].address" });
    expectFinding(r.diagnostics, { severity: "warning", code: "device-transport", file: DEVICES, line: 2, column: col(line, "scconf"), path: "devices[0].user" });
  });

  it("refuses two devices of one name", () => {
    const r = validateWith({ [DEVICES]: replaceLine(3, "  - { name: fw-nft, platform: junos, kinds: [firewall], root: state/devices/fw-srx }") });
    expectFinding(r.diagnostics, { code: "duplicate", file: DEVICES, line: 3, column: 13, message: /first as devices\[0\] at \S*devices\.yaml:2:13/ });
  });
});
