// DNS record values in presentation format, and the classic zone-file mistakes.
import { afterAll, describe, expect, it } from "vitest";
import { validateRecordValue } from "../../src/inventory/checks/dns.js";
import { col } from "./col.js";
import { cleanupInventories, expectFinding, replaceLine, validateWith } from "./edit.js";

afterAll(cleanupInventories);

const TSU = "orgs/tsu.yaml";

describe("DNS record values", () => {
  it.each([
    ["A", "198.51.100.400", false],
    ["A", "2001:db8::1", false],
    ["AAAA", "2001:db8::1", true],
    ["MX", "10 mx1.mie-sec-cloud.jp.", true],
    ["MX", "mx1.mie-sec-cloud.jp.", false],
    ["MX", "70000 mx1.example.jp.", false],
    ["SRV", "10 5 5060 sip.example.jp.", true],
    ["SRV", "10 5 sip.example.jp.", false],
    ["CAA", '0 issue "letsencrypt.org"', true],
    ["CAA", '0 issue letsencrypt.org', false],
    ["CAA", '0 bogus "x"', false],
    ["CNAME", "www.example.jp.", true],
    ["CNAME", "www example.jp.", false],
    ["CNAME", "-bad-.example.jp.", false],
    ["NS", "ns1.example.jp.", true],
    ["TXT", "v=spf1 -all", true],
  ])("%s %s is %s", (type, value, ok) => {
    expect(validateRecordValue(type, value).ok).toBe(ok);
  });

  it("refuses a malformed A record at its value", () => {
    const line = '      - { name: "@", type: A, value: 198.51.100.400 }';
    const r = validateWith({ [TSU]: replaceLine(25, line) });
    expectFinding(r.diagnostics, { severity: "error", code: "dns-value", file: TSU, line: 25, column: col(line, "198.51"), path: "dns[0].records[0].value", message: "is not an IPv4 address" });
  });

  it("refuses an MX record without a preference", () => {
    const line = '      - { name: "@", type: MX, value: "mx1.mie-sec-cloud.jp." }';
    const r = validateWith({ [TSU]: replaceLine(28, line) });
    expectFinding(r.diagnostics, { code: "dns-value", file: TSU, line: 28, column: col(line, '"mx1'), message: "<preference> <host>" });
  });

  it("refuses a CNAME at the zone apex", () => {
    const line = '      - { name: "@", type: CNAME, value: www.example.net. }';
    const r = validateWith({ [TSU]: replaceLine(25, line) });
    expectFinding(r.diagnostics, { code: "cname-and-other-data", file: TSU, line: 25, column: col(line, '"@"'), path: "dns[0].records[0].name", message: "zone apex" });
  });

  it("warns about a target without a trailing dot, which the zone file reads as relative", () => {
    const line = "      - { name: www, type: CNAME, value: city.tsu.example.jp }";
    const r = validateWith({ [TSU]: replaceLine(26, line) });
    const d = expectFinding(r.diagnostics, { severity: "warning", code: "dns-relative-target", file: TSU, line: 26, column: col(line, "city.tsu") });
    expect(d.message).toContain("city.tsu.example.jp.city.tsu.example.jp");
  });

  it("warns about a record name written as a full name", () => {
    const line = "      - { name: bousai.city.tsu.example.jp, type: A, value: 198.51.100.40 }";
    const r = validateWith({ [TSU]: replaceLine(27, line) });
    expect(expectFinding(r.diagnostics, { severity: "warning", code: "dns-name", file: TSU, line: 27, column: 17 }).hint).toBe('did you mean "bousai"?');
  });
});
