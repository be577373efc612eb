// Tenant isolation: an organization's file may touch only what is its own.
import { afterAll, describe, expect, it } from "vitest";
import { append, cleanupInventories, expectFinding, expectNo, KAMEYAMA, kameyama, replaceLine, validateWith } from "./edit.js";

afterAll(cleanupInventories);

/** 1-based column of `needle` in `line`: the assertion stays exact but readable. */
const col = (line: string, needle: string): number => {
  const i = line.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in ${line}`);
  return i + 1;
};

describe("tenant isolation: firewall", () => {
  it("accepts the small fixture and an organization that uses only its own space", () => {
    const rule = "  - { name: web-in, from: [internet], to: [web], protocol: tcp, ports: [443], action: accept }";
    const r = validateWith({ [KAMEYAMA]: kameyama("firewall:", rule) });
    expect(r.diagnostics).toEqual([]);
  });

  it("refuses a firewall rule that opens another organization's network", () => {
    const rule = "  - { name: peek, from: [lan], to: [10.2.10.0/24], protocol: tcp, ports: [445], action: accept }";
    const r = validateWith({ [KAMEYAMA]: kameyama("firewall:", rule) });
    const d = expectFinding(r.diagnostics, {
      severity: "error", code: "tenant-isolation", file: "orgs/kameyama.yaml", line: 12, column: col(rule, "10.2.10.0/24"), path: "firewall[0].to[0]",
    });
    expect(col(rule, "10.2.10.0/24")).toBe(37);
    // names both organizations and where the other's network is defined
    expect(d.message).toContain("of kameyama");
    expect(d.message).toMatch(/tsu's network "lan" \(10\.2\.0\.0\/16, \S*orgs\/tsu\.yaml:7:5\)/);
    expect(d.message).toMatch(/tsu's network "servers" \(10\.2\.10\.0\/24, \S*orgs\/tsu\.yaml:8:5\)/);
  });

  it("refuses a literal that overlaps another organization's global address", () => {
    const rule = "  - { name: scan, from: [198.51.100.32/30], to: [web], protocol: any, action: drop }";
    const r = validateWith({ [KAMEYAMA]: kameyama("firewall:", rule) });
    const d = expectFinding(r.diagnostics, { code: "tenant-isolation", file: KAMEYAMA, line: 12, column: col(rule, "198.51.100.32/30"), path: "firewall[0].from[0]" });
    expect(d.message).toMatch(/mie-pref's global address "web" \(198\.51\.100\.32\/32, \S*orgs\/mie-pref\.yaml:12:5\)/);
    expect(d.message).toContain('mie-pref\'s global address "mail"');
  });

  it("refuses a rule neither side of which is the organization's own space", () => {
    const rule = "  - { name: relay, from: [internet], to: [dns-resolvers], protocol: udp, ports: [53], action: accept }";
    const r = validateWith({ [KAMEYAMA]: kameyama("firewall:", rule) });
    expectFinding(r.diagnostics, {
      severity: "error", code: "tenant-isolation", file: KAMEYAMA, line: 12, column: 5, path: "firewall[0]",
      message: "a rule must involve the organization's own addresses",
    });
  });

  it("refuses a rule whose own side mixes in another organization's export", () => {
    const rule = '  - { name: expose, from: [internet], to: [web, "mie-pref:egov-servers"], protocol: tcp, ports: [443], action: accept }';
    const r = validateWith({ [KAMEYAMA]: kameyama("firewall:", rule) });
    expectFinding(r.diagnostics, { code: "tenant-isolation", file: KAMEYAMA, line: 12, column: 5, message: "own addresses" });
  });

  it("accepts a rule from own space to an export that is shared with the organization", () => {
    const rule = '  - { name: egov, from: [lan], to: ["mie-pref:egov-servers"], protocol: tcp, ports: [443], action: accept }';
    const r = validateWith({ [KAMEYAMA]: kameyama("firewall:", rule) });
    expect(r.diagnostics).toEqual([]);
  });

  it("accepts a literal inside the organization's own space as own", () => {
    const rule = "  - { name: host, from: [internet], to: [10.9.1.5/32], protocol: tcp, ports: [22], action: drop }";
    const r = validateWith({ [KAMEYAMA]: kameyama("firewall:", rule) });
    expect(r.diagnostics).toEqual([]);
  });

  it("refuses an unresolvable reference at that reference's position", () => {
    const rule = "  - { name: x, from: [lan], to: [printers], protocol: tcp, ports: [9100], action: accept }";
    const r = validateWith({ [KAMEYAMA]: kameyama("firewall:", rule) });
    expectFinding(r.diagnostics, {
      severity: "error", code: "unresolved-ref", file: KAMEYAMA, line: 12, column: col(rule, "printers"), path: "firewall[0].to[0]",
      message: '"printers" is neither a network or address of kameyama nor a global object',
    });
  });

  it("refuses another organization's object that is not exported to the organization", () => {
    const rule = '  - { name: x, from: [lan], to: ["tsu:servers"], protocol: tcp, ports: [443], action: accept }';
    const r = validateWith({ [KAMEYAMA]: kameyama("firewall:", rule) });
    expectFinding(r.diagnostics, { code: "unresolved-ref", file: KAMEYAMA, line: 12, column: col(rule, '"tsu:servers"'), message: 'tsu does not export "servers"' });
  });

  it("refuses an export that is shared only with other organizations", () => {
    const r = validateWith({
      "orgs/tsu.yaml": append("exports:", "  - { name: servers, to: [kiho] }"),
      [KAMEYAMA]: kameyama("firewall:", '  - { name: x, from: [lan], to: ["tsu:servers"], protocol: tcp, ports: [443], action: accept }'),
    });
    expectFinding(r.diagnostics, { code: "unresolved-ref", file: KAMEYAMA, line: 12, column: 34, message: "only to kiho, not to kameyama" });
  });
});

describe("tenant isolation: IPS, names, mail, spam, exports", () => {
  it("refuses an IPS exception whose scope is a global object", () => {
    const line = "  - { name: fp, signature: 2013028, scope: [internet], reason: 誤検知 }";
    const r = validateWith({ [KAMEYAMA]: kameyama("ipsExceptions:", line) });
    expectFinding(r.diagnostics, {
      severity: "error", code: "tenant-isolation", file: KAMEYAMA, line: 12, column: col(line, "internet"), path: "ipsExceptions[0].scope[0]",
      message: "a global object of cloud.yaml",
    });
  });

  it("refuses an IPS exception scope that reaches into another organization's network", () => {
    const line = "  - { name: fp, signature: 2013028, scope: [10.1.0.0/24], reason: 誤検知 }";
    const r = validateWith({ [KAMEYAMA]: kameyama("ipsExceptions:", line) });
    const d = expectFinding(r.diagnostics, { code: "tenant-isolation", file: KAMEYAMA, line: 12, column: col(line, "10.1.0.0/24") });
    expect(d.message).toMatch(/mie-pref's network "lan" \(10\.1\.0\.0\/16, \S*orgs\/mie-pref\.yaml:8:5\)/);
  });

  it("refuses an IPS exception scope outside any organization's space", () => {
    const line = "  - { name: fp, signature: 1, scope: [172.16.0.0/12], reason: 誤検知 }";
    const r = validateWith({ [KAMEYAMA]: kameyama("ipsExceptions:", line) });
    expectFinding(r.diagnostics, { code: "tenant-isolation", file: KAMEYAMA, line: 12, column: col(line, "172.16"), message: "outside them" });
  });

  it("refuses a DNS zone that is not one of the organization's domains", () => {
    const r = validateWith({ [KAMEYAMA]: kameyama("dns:", "  - zone: city.tsu.example.jp", "    records: []") });
    expectFinding(r.diagnostics, {
      severity: "error", code: "tenant-isolation", file: KAMEYAMA, line: 12, column: 11, path: "dns[0].zone", message: "it belongs to tsu",
    });
  });

  it("accepts a zone below one of the organization's domains", () => {
    const r = validateWith({ [KAMEYAMA]: kameyama("dns:", "  - zone: bousai.city.kameyama.example.jp", "    records: [{ name: www, type: A, value: 198.51.100.90 }]") });
    expect(r.diagnostics).toEqual([]);
  });

  it("refuses a record that reaches into a more specific domain of another organization", () => {
    const r = validateWith({
      "orgs/tsu.yaml": replaceLine(11, "domains: [city.tsu.example.jp, sub.city.kameyama.example.jp]"),
      [KAMEYAMA]: kameyama("dns:", "  - zone: city.kameyama.example.jp", "    records:", "      - { name: www.sub, type: A, value: 198.51.100.90 }"),
    });
    expectFinding(r.diagnostics, {
      code: "tenant-isolation", file: KAMEYAMA, line: 14, column: 17, path: "dns[0].records[0].name", message: "which belongs to tsu, not to kameyama",
    });
  });

  it("refuses a reverse-proxy hostname outside the organization's domains", () => {
    const line = "  - { name: www, hostname: www.pref.mie.example.jp, origin: { address: 10.9.0.10, port: 80 } }";
    const r = validateWith({ [KAMEYAMA]: kameyama("reverseProxy:", line) });
    expectFinding(r.diagnostics, { code: "tenant-isolation", file: KAMEYAMA, line: 12, column: col(line, "www.pref"), path: "reverseProxy[0].hostname", message: "it belongs to mie-pref" });
  });

  it("refuses a reverse-proxy origin in another organization's network", () => {
    const line = "  - { name: www, hostname: www.city.kameyama.example.jp, origin: { address: 10.2.10.10, port: 443 } }";
    const r = validateWith({ [KAMEYAMA]: kameyama("reverseProxy:", line) });
    const d = expectFinding(r.diagnostics, { code: "tenant-isolation", file: KAMEYAMA, line: 12, column: col(line, "10.2.10.10"), path: "reverseProxy[0].origin.address" });
    expect(d.message).toContain("tsu's network");
  });

  it("refuses a mail route for another organization's domain", () => {
    const line = "  - { domain: city.tsu.example.jp, nextHop: 10.9.0.25 }";
    const r = validateWith({ [KAMEYAMA]: kameyama("mailRelay:", line) });
    expectFinding(r.diagnostics, { code: "tenant-isolation", file: KAMEYAMA, line: 12, column: 15, path: "mailRelay[0].domain", message: "it belongs to tsu" });
  });

  it("refuses a mail next hop address outside the organization's space", () => {
    const line = "  - { domain: city.kameyama.example.jp, nextHop: 10.1.0.25 }";
    const r = validateWith({ [KAMEYAMA]: kameyama("mailRelay:", line) });
    expectFinding(r.diagnostics, { severity: "error", code: "tenant-isolation", file: KAMEYAMA, line: 12, column: col(line, "10.1.0.25"), message: "mie-pref's network" });
  });

  it("warns about a mail next hop host name outside the organization's domains", () => {
    const line = "  - { domain: city.kameyama.example.jp, nextHop: mx.hosting.example.com }";
    const r = validateWith({ [KAMEYAMA]: kameyama("mailRelay:", line) });
    expectFinding(r.diagnostics, { severity: "warning", code: "tenant-isolation", file: KAMEYAMA, line: 12, column: col(line, "mx.hosting") });
    expect(r.errors).toBe(0);
  });

  it("refuses a spam exclusion for another organization's addresses", () => {
    const line = "  - { name: x, sender: 10.2.0.0/16, reason: 一斉配信 }";
    const r = validateWith({ [KAMEYAMA]: kameyama("spamExclusions:", line) });
    expectFinding(r.diagnostics, { code: "tenant-isolation", file: KAMEYAMA, line: 12, column: col(line, "10.2.0.0/16"), message: "tsu's network \"lan\"" });
  });

  it("refuses an export of an object the organization does not have, and to an organization that does not exist", () => {
    const r = validateWith({ [KAMEYAMA]: kameyama("exports:", "  - { name: dmz, to: [tsu, nowhere] }") });
    expectFinding(r.diagnostics, { code: "unresolved-ref", file: KAMEYAMA, line: 12, column: 13, path: "exports[0].name", message: 'no network or global address named "dmz"' });
    expectFinding(r.diagnostics, { code: "unresolved-ref", file: KAMEYAMA, line: 12, column: 28, path: "exports[0].to[1]", message: 'no organization "nowhere"' });
  });

  it("keeps the fixture free of isolation findings", () => {
    expectNo(validateWith().diagnostics);
  });
});
