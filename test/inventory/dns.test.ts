// DNS record values in presentation format, and the classic zone-file mistakes.
import { afterAll, describe, expect, it } from "vitest";
import { col } from "./col.js";
import { cleanupInventories, expectFinding, replaceLine, validateWith } from "./edit.js";

afterAll(cleanupInventories);

const TSU = "orgs/tsu.yaml";

describe("DNS record values", () => {
  it("refuses a malformed SRV record", () => {
    const line = '      - { name: _sip._tcp, type: SRV, value: "10 5 sip.city.tsu.example.jp." }';
    const r = validateWith({ [TSU]: replaceLine(28, line) });
    expectFinding(r.diagnostics, { severity: "error", code: "dns-value", file: TSU, line: 28, column: col(line, '"10'), message: "is not an SRV value" });
  });

  it("refuses a CNAME target that is not a host name", () => {
    const line = '      - { name: www, type: CNAME, value: "www example.jp." }';
    const r = validateWith({ [TSU]: replaceLine(26, line) });
    expectFinding(r.diagnostics, { severity: "error", code: "dns-value", file: TSU, line: 26, column: col(line, '"www'), message: "is not a host name" });
  });

  it("refuses records of one name and type with different TTLs, as the renderer would", () => {
    const line = "      - { name: bousai, type: A, value: 198.51.100.41, ttl: 300, view: both }";
    const r = validateWith({ [TSU]: replaceLine(28, line) });
    const d = expectFinding(r.diagnostics, { severity: "error", code: "dns-ttl", file: TSU, line: 28, column: col(line, "300"), path: "dns[0].records[3].ttl" });
    expect(d.message).toMatch(/300 here, the default at \S*tsu\.yaml:27:9/);
  });

  it("refuses a malformed A record at its value", () => {
    const line = '      - { name: "@", type: A, value: 198.51.100.400 }';
    const r = validateWith({ [TSU]: replaceLine(25, line) });
    expectFinding(r.diagnostics, { severity: "error", code: "dns-value", file: TSU, line: 25, column: col(line, "198.51"), path: "dns[0].records[0].value", message: "is not an IPv4 address" });
  });

  it("refuses an MX record without a preference", () => {
    const line = '      - { name: "@", type: MX, value: "mx1.mie-sec-cloud.jp." }';
    const r = validateWith({ [TSU]: replaceLine(28, line) });
    expectFinding(r.diagnostics, { code: "dns-value", file: TSU, line: 28, column: col(line, '"mx1'), message: "is not an MX value" });
  });

  it("refuses a CNAME at the zone apex", () => {
    const line = '      - { name: "@", type: CNAME, value: www.example.net. }';
    const r = validateWith({ [TSU]: replaceLine(25, line) });
    expectFinding(r.diagnostics, { code: "cname-and-other-data", file: TSU, line: 25, column: col(line, '"@"'), path: "dns[0].records[0].name", message: "zone apex" });
  });

  it("warns about a target without a trailing dot, which the zone file reads as relative", () => {
    const line = "      - { name: www, type: CNAME, value: city.tsu.example.jp }";
    const r = validateWith({ [TSU]: replaceLine(26, line) });
    const d = expectFinding(r.diagnostics, { severity: "warning", code: "dns-value", file: TSU, line: 26, column: col(line, "city.tsu") });
    expect(d.message).toContain("city.tsu.example.jp.city.tsu.example.jp.");
  });

  it("warns about a record name written as a full name", () => {
    const line = "      - { name: bousai.city.tsu.example.jp, type: A, value: 198.51.100.40 }";
    const r = validateWith({ [TSU]: replaceLine(27, line) });
    expect(expectFinding(r.diagnostics, { severity: "warning", code: "dns-name", file: TSU, line: 27, column: 17 }).hint).toBe('did you mean "bousai"?');
  });
});
