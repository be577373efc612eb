// Address plan integrity between organizations and the cloud.
import { afterAll, describe, expect, it } from "vitest";
import { cleanupInventories, expectFinding, KAMEYAMA, kameyama, validateWith } from "./edit.js";

afterAll(cleanupInventories);

describe("overlaps", () => {
  it("refuses two organizations claiming overlapping networks, in both files, each naming the other", () => {
    const file = kameyama().replace("cidr: 10.9.0.0/16", "cidr: 10.2.128.0/17");
    const r = validateWith({ [KAMEYAMA]: file });
    const mine = expectFinding(r.diagnostics, { severity: "error", code: "address-overlap", file: KAMEYAMA, line: 7, column: 24, path: "networks[0].cidr" });
    expect(mine.message).toMatch(/10\.2\.128\.0\/17 of kameyama overlaps tsu's network "lan" \(10\.2\.0\.0\/16, \S*orgs\/tsu\.yaml:7:5\)/);
    const theirs = expectFinding(r.diagnostics, { severity: "error", code: "address-overlap", file: "orgs/tsu.yaml", line: 7, column: 24, path: "networks[0].cidr" });
    expect(theirs.message).toMatch(/kameyama's network "lan" \(10\.2\.128\.0\/17, \S*orgs\/kameyama\.yaml:7:5\)/);
  });

  it("refuses two organizations claiming the same global address", () => {
    const file = kameyama().replace("address: 198.51.100.90/32", "address: 198.51.100.40/32");
    const r = validateWith({ [KAMEYAMA]: file });
    expectFinding(r.diagnostics, { code: "address-overlap", file: KAMEYAMA, line: 9, column: 27, message: "tsu's global address \"web\"" });
    expectFinding(r.diagnostics, { code: "address-overlap", file: "orgs/tsu.yaml", line: 10, column: 27, message: "kameyama's global address \"web\"" });
  });

  it("refuses a global address outside the cloud's address plans", () => {
    const file = kameyama().replace("address: 198.51.100.90/32", "address: 192.0.2.10/32");
    const r = validateWith({ [KAMEYAMA]: file });
    expectFinding(r.diagnostics, { severity: "error", code: "address-plan", file: KAMEYAMA, line: 9, column: 27, message: "outside the cloud's address plans (198.51.100.0/24, 203.0.113.0/25)" });
  });

  it("accepts a global address from the breakout plan", () => {
    const file = kameyama().replace("address: 198.51.100.90/32", "address: 203.0.113.16/28");
    expect(validateWith({ [KAMEYAMA]: file }).diagnostics).toEqual([]);
  });

  it("refuses a network that overlaps the cloud's infrastructure", () => {
    const file = kameyama().replace("cidr: 10.9.0.0/16", "cidr: 10.255.1.0/24");
    const r = validateWith({ [KAMEYAMA]: file });
    expectFinding(r.diagnostics, { code: "address-overlap", file: KAMEYAMA, line: 7, column: 24, message: /the cloud's management range 10\.255\.0\.0\/16 \(\S*cloud\.yaml:10:16\)/ });
  });

  it("refuses a global address on the cloud's resolvers", () => {
    const file = kameyama().replace("address: 198.51.100.90/32", "address: 198.51.100.2/31");
    const r = validateWith({ [KAMEYAMA]: file });
    expectFinding(r.diagnostics, { code: "address-overlap", file: KAMEYAMA, line: 9, column: 27, message: "resolvers range 198.51.100.2/32" });
  });
});
