// Firewall logic in rule order: shadowed and redundant rules, expiry, and an
// analysis that stays near-linear for very large rule sets.
import { afterAll, describe, expect, it } from "vitest";
import { findShadowedRules, type Protocol, type ShadowRule, type ShadowStats } from "../../src/inventory/checks/shadow.js";
import { mustParsePrefix, prefixContains, type Prefix } from "../../src/model/net.js";
import type { PortRange } from "../../src/model/values.js";
import { append, cleanupInventories, expectFinding, expectNo, KAMEYAMA, kameyama, replaceLine, validateWith } from "./edit.js";

afterAll(cleanupInventories);

const rules = (...lines: string[]) => kameyama("firewall:", ...lines);

describe("shadowed and redundant rules", () => {
  it("refuses a rule that an earlier rule with a different action already matches", () => {
    const r = validateWith({
      [KAMEYAMA]: rules(
        "  - { name: allow-web, from: [internet], to: [web], protocol: tcp, ports: [80, 443], action: accept }",
        "  - { name: deny-web, from: [internet], to: [web], protocol: tcp, ports: [443], action: drop }",
      ),
    });
    const d = expectFinding(r.diagnostics, { severity: "error", code: "shadowed-rule", file: KAMEYAMA, line: 13, column: 5, path: "firewall[1]" });
    expect(d.message).toMatch(/^never reached: rule "allow-web" at \S*orgs\/kameyama\.yaml:12:5 already matches all traffic of "deny-web"/);
  });

  it("warns about a rule that an earlier rule with the same action already matches", () => {
    const r = validateWith({
      [KAMEYAMA]: rules(
        "  - { name: out, from: [lan], to: [internet], protocol: any, action: accept }",
        // an outside destination; the cloud's resolvers are no longer inside "internet" (issue 17)
        "  - { name: out-dns, from: [10.9.1.0/24], to: [192.0.2.0/28], protocol: udp, ports: [53], action: accept }",
      ),
    });
    expectFinding(r.diagnostics, { severity: "warning", code: "redundant-rule", file: KAMEYAMA, line: 13, column: 5, message: /^redundant: rule "out" at \S*kameyama\.yaml:12:5/ });
    expect(r.errors).toBe(0);
  });

  it("accepts a later rule that is only partly covered", () => {
    const r = validateWith({
      [KAMEYAMA]: rules(
        "  - { name: a, from: [internet], to: [web], protocol: tcp, ports: [443], action: accept }",
        "  - { name: b, from: [internet], to: [web], protocol: tcp, ports: [443, 8443], action: drop }",
        "  - { name: c, from: [internet], to: [web, lan], protocol: tcp, ports: [443], action: drop }",
        "  - { name: d, from: [internet], to: [web], protocol: udp, ports: [443], action: drop }",
      ),
    });
    expect(r.diagnostics).toEqual([]);
  });

  it("treats a port range as covering the single ports inside it", () => {
    const r = validateWith({
      [KAMEYAMA]: rules(
        '  - { name: a, from: [lan], to: [internet], protocol: tcp, ports: ["8000-8080", 443], action: accept }',
        '  - { name: b, from: [lan], to: [internet], protocol: tcp, ports: [8080, 443, "8000-8010"], action: reject }',
      ),
    });
    expectFinding(r.diagnostics, { code: "shadowed-rule", file: KAMEYAMA, line: 13, column: 5 });
  });

  it("does not let an expired rule shadow a later one, and warns that it expired", () => {
    const r = validateWith({
      [KAMEYAMA]: rules(
        "  - { name: old, from: [internet], to: [web], protocol: any, action: drop, expires: 2026-01-31 }",
        "  - { name: web, from: [internet], to: [web], protocol: tcp, ports: [443], action: accept }",
      ),
    });
    expectNo(r.diagnostics.filter((d) => d.code !== "expired"));
    expectFinding(r.diagnostics, { severity: "warning", code: "expired", file: KAMEYAMA, line: 12, column: 85, path: "firewall[0].expires", message: "expired on 2026-01-31 and is no longer rendered" });
  });

  it("refuses ports on an icmp rule and warns about a rule whose families cannot match", () => {
    const r = validateWith({
      "orgs/mie-pref.yaml": replaceLine(22, "  - { name: ping-out, from: [lan], to: [internet], protocol: icmp, ports: [7], action: accept }"),
      [KAMEYAMA]: rules('  - { name: v6, from: [lan], to: ["2001:db8:ff::/48"], protocol: tcp, ports: [22], action: drop }'),
    });
    expectFinding(r.diagnostics, { severity: "error", code: "firewall-ports", file: "orgs/mie-pref.yaml", line: 22, column: 75 });
    expectFinding(r.diagnostics, { severity: "warning", code: "firewall-family", file: KAMEYAMA, line: 12, column: 5 });
  });
});

describe("expiry", () => {
  it("warns about settings that expire within expiryWarningDays, and about expired ones", () => {
    const r = validateWith({
      [KAMEYAMA]: kameyama(
        "ipsExceptions:",
        "  - { name: fp, signature: 2013028, scope: [lan], reason: 誤検知, expires: 2026-12-05 }",
        "spamExclusions:",
        "  - { name: x, sender: vendor.example.com, reason: 保守, expires: 2026-11-26 }",
        "  - { name: y, sender: other.example.com, reason: 保守, expires: 2026-12-31 }",
      ),
    });
    expectFinding(r.diagnostics, { severity: "warning", code: "expiring", file: KAMEYAMA, line: 12, column: 73, message: "expires in 8 day(s), on 2026-12-05" });
    expectFinding(r.diagnostics, { severity: "warning", code: "expired", file: KAMEYAMA, line: 14, column: 65, message: 'spam exclusion "x" expired on 2026-11-26' });
    expect(r.diagnostics).toHaveLength(2);
  });

  it("warns about an expired emergency block in cloud.yaml", () => {
    const r = validateWith({ "cloud.yaml": replaceLine(27, "  - { target: 192.0.2.66/32, reason: C&C, added: 2026-11-01, expires: 2026-11-20 }") });
    expectFinding(r.diagnostics, { severity: "warning", code: "expired", file: "cloud.yaml", line: 27, column: 71 });
  });

  it("says 'today' for a setting that expires today, which is still rendered", () => {
    const r = validateWith({ "orgs/tsu.yaml": append("ipsExceptions:", "  - { name: t, signature: 1, scope: [lan], reason: 検証, expires: 2026-11-27 }") });
    expectFinding(r.diagnostics, { code: "expiring", file: "orgs/tsu.yaml", line: 35, column: 65, message: "expires today" });
  });
});

// ───────────── the analysis itself: exact against a brute force, and near-linear ─────────────

/** A small deterministic generator, so that failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

/** The definition of coverage, written independently of the implementation. */
function naiveCovers(a: ShadowRule, b: ShadowRule): boolean {
  if (a.protocol !== "any" && a.protocol !== b.protocol) return false;
  const within = (outer: readonly Prefix[], inner: readonly Prefix[]) => inner.every((p) => outer.some((o) => prefixContains(o, p)));
  const portsOf = (r: ShadowRule) => (r.protocol === "tcp" || r.protocol === "udp") && r.ports?.length ? r.ports : [{ from: 1, to: 65535 }];
  const bPorts = portsOf(b);
  const aPorts = portsOf(a);
  // walk each of B's ranges from its start, hopping through A's ranges that contain the current port
  const portOk = bPorts.every((br) => {
    let p = br.from;
    while (p <= br.to) {
      const next = aPorts.filter((ar) => ar.from <= p && p <= ar.to).reduce((m, ar) => Math.max(m, ar.to), -1);
      if (next < 0) return false;
      p = next + 1;
    }
    return true;
  });
  return within(a.src, b.src) && within(a.dst, b.dst) && portOk;
}

function naiveShadows(list: readonly ShadowRule[]): Array<{ rule: number; by: number }> {
  const out: Array<{ rule: number; by: number }> = [];
  list.forEach((b, j) => {
    const a = list.slice(0, j).find((x) => naiveCovers(x, b));
    if (a) out.push({ rule: b.index, by: a.index });
  });
  return out;
}

describe("shadow analysis", () => {
  it("finds exactly the earliest covering rule, as a brute force does (1,500 random rules)", () => {
    const r = rng(42);
    const prefixes = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "10.2.0.0/16", "0.0.0.0/0", "192.0.2.0/24", "192.0.2.0/25", "2001:db8::/32", "2001:db8:1::/48"].map(mustParsePrefix);
    const portChoices: Array<PortRange[] | undefined> = [undefined, [{ from: 443, to: 443 }], [{ from: 80, to: 80 }, { from: 443, to: 443 }], [{ from: 1, to: 1024 }], [{ from: 8000, to: 8080 }], [{ from: 8080, to: 8080 }]];
    const protocols: Protocol[] = ["tcp", "tcp", "udp", "icmp", "any"];
    const list: ShadowRule[] = Array.from({ length: 1500 }, (_, index) => ({
      index,
      protocol: pick(r, protocols),
      src: r() < 0.2 ? [pick(r, prefixes), pick(r, prefixes)] : [pick(r, prefixes)],
      dst: [pick(r, prefixes)],
      ports: pick(r, portChoices),
      action: pick(r, ["accept", "drop"]),
    }));
    const got = findShadowedRules(list).map(({ rule, by }) => ({ rule, by }));
    expect(got).toEqual(naiveShadows(list));
    expect(got.length).toBeGreaterThan(500); // the generator does produce many shadows
  });

  it("compares each of 20,000 rules of one organization with fewer than 20 candidates on average", () => {
    const r = rng(7);
    const N = 20_000;
    const host = (base: string) => mustParsePrefix(`${base}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}/32`);
    const internet = mustParsePrefix("0.0.0.0/0");
    const ports = [22, 25, 53, 80, 123, 443, 445, 587, 993, 3389, 5060, 8080, 8443];
    const list: ShadowRule[] = [];
    const planted = new Set<number>();
    for (let index = 0; index < N; index++) {
      const kind = r();
      const port = pick(r, ports);
      let rule: ShadowRule;
      if (kind < 0.1 && index > 10) {
        // a copy of an earlier rule, narrowed to one of its ports: must be reported
        const earlier = list[Math.floor(r() * index)]!;
        const p = earlier.ports?.[0];
        rule = { ...earlier, index, ports: p ? [p] : earlier.ports, action: pick(r, ["accept", "drop"]) };
        planted.add(index);
      } else if (kind < 0.45) {
        rule = { index, protocol: "tcp", src: [internet], dst: [host("10.9")], ports: [{ from: port, to: port }], action: "accept" };
      } else if (kind < 0.75) {
        const subnet = mustParsePrefix(`10.9.${Math.floor(r() * 256)}.0/24`);
        rule = { index, protocol: pick(r, ["tcp", "udp"] as const), src: [subnet], dst: [host("192.0")], ports: [{ from: port, to: port }], action: pick(r, ["accept", "drop"]) };
      } else if (kind < 0.9) {
        rule = { index, protocol: "tcp", src: [mustParsePrefix("10.9.0.0/16")], dst: [internet], ports: [{ from: 1024 + index, to: 1024 + index }], action: "accept" };
      } else {
        rule = { index, protocol: "any", src: [host("10.9")], dst: [host("203.0")], ports: undefined, action: "drop" };
      }
      list.push(rule);
    }
    const stats: ShadowStats = { rules: 0, comparisons: 0 };
    const findings = findShadowedRules(list, stats);
    const reported = new Set(findings.map((f) => f.rule));
    for (const p of planted) expect(reported.has(p)).toBe(true);
    expect(stats.rules).toBe(N);
    expect(stats.comparisons).toBeLessThan(20 * N);
    // the measured count, for the record (the assertion above is the contract)
    console.info(`shadow analysis: ${N} rules, ${stats.comparisons} comparisons, ${findings.length} findings (${planted.size} planted)`);
  });
});
