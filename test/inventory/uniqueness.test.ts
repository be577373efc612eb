// Uniqueness: record sets, zones, domains, hostnames and mail routes.
import { afterAll, describe, expect, it } from "vitest";
import { cleanupInventories, expectFinding, insertAfter, KAMEYAMA, kameyama, validateWith } from "./edit.js";

afterAll(cleanupInventories);

const TSU = "orgs/tsu.yaml";

describe("DNS record sets", () => {
  it("refuses a CNAME beside other data at the same name, as named-checkzone does", () => {
    const r = validateWith({ [TSU]: insertAfter(28, "      - { name: www, type: A, value: 198.51.100.40 }") });
    const d = expectFinding(r.diagnostics, {
      severity: "error", code: "cname-and-other-data", file: TSU, line: 26, column: 9, path: "dns[0].records[1]",
    });
    expect(d.message).toMatch(/www has a CNAME and other data \(A at \S*orgs\/tsu\.yaml:29:9\)/);
  });

  it("refuses two different CNAMEs at one name", () => {
    const r = validateWith({ [TSU]: insertAfter(28, "      - { name: WWW, type: CNAME, value: bousai.city.tsu.example.jp. }") });
    expectFinding(r.diagnostics, { code: "cname-and-other-data", file: TSU, line: 26, column: 9 });
  });

  it("accepts a CNAME in the external view beside an address in the internal view", () => {
    const r = validateWith({ [TSU]: insertAfter(28, "      - { name: www, type: A, value: 10.2.10.10, view: internal }") });
    expect(r.diagnostics).toEqual([]);
  });

  it("refuses an identical duplicate record", () => {
    const r = validateWith({ [TSU]: insertAfter(28, '      - { name: "@", type: a, value: 198.51.100.40 }'.replace("type: a", "type: A")) });
    const d = expectFinding(r.diagnostics, { severity: "error", code: "duplicate-record", file: TSU, line: 29, column: 9, path: "dns[0].records[4]" });
    expect(d.message).toMatch(/first at \S*orgs\/tsu\.yaml:25:9/);
  });
});

describe("names unique across organizations", () => {
  it("refuses a zone defined by two organizations, in both files", () => {
    const r = validateWith({ [KAMEYAMA]: kameyama("dns:", "  - zone: city.tsu.example.jp") });
    expectFinding(r.diagnostics, { code: "duplicate-zone", file: KAMEYAMA, line: 12, column: 11, message: /the zone city\.tsu\.example\.jp is also defined by tsu at \S*orgs\/tsu\.yaml:23:11/ });
    expectFinding(r.diagnostics, { code: "duplicate-zone", file: TSU, line: 23, column: 11, message: "also defined by kameyama" });
  });

  it("refuses a domain claimed by two organizations", () => {
    const file = kameyama().replace("domains: [city.kameyama.example.jp]", "domains: [city.kameyama.example.jp, city.tsu.example.jp]");
    const r = validateWith({ [KAMEYAMA]: file });
    expectFinding(r.diagnostics, { severity: "error", code: "duplicate-domain", file: KAMEYAMA, line: 10, column: 37, path: "domains[1]", message: "also defined by tsu" });
    expectFinding(r.diagnostics, { severity: "error", code: "duplicate-domain", file: TSU, line: 11, column: 11, path: "domains[0]", message: "also defined by kameyama" });
  });

  it("refuses a reverse-proxy hostname used twice, within one organization too", () => {
    const line = "  - { name: www2, hostname: www.city.tsu.example.jp, origin: { address: 10.2.10.12, port: 80 } }";
    const r = validateWith({ [TSU]: insertAfter(21, line) });
    expectFinding(r.diagnostics, { code: "duplicate-hostname", file: TSU, line: 22, column: 29, path: "reverseProxy[2].hostname", message: /is also defined at \S*tsu\.yaml:20:28/ });
    expectFinding(r.diagnostics, { code: "duplicate-hostname", file: TSU, line: 20, column: 28 });
  });

  it("refuses a mail-relay domain routed twice", () => {
    const r = validateWith({ [TSU]: insertAfter(30, "  - { domain: city.tsu.example.jp, nextHop: 10.2.10.26 }") });
    expectFinding(r.diagnostics, { code: "duplicate-mail-route", file: TSU, line: 31, column: 15, path: "mailRelay[1].domain" });
    expectFinding(r.diagnostics, { code: "duplicate-mail-route", file: TSU, line: 30, column: 15 });
  });

  it("refuses two firewall rules of one name", () => {
    const r = validateWith({ [TSU]: insertAfter(16, "  - { name: egov, from: [lan], to: [internet], protocol: udp, ports: [123], action: accept }") });
    expectFinding(r.diagnostics, { code: "duplicate", file: TSU, line: 17, column: 13, path: "firewall[3].name" });
  });
});
