// When a dialect may write an outside object as "not inside the cloud"
// (negation) and when it must keep the complement list. Junos `-excluded`
// and FortiOS `-negate` negate a policy's whole address list of one side, so
// they are right only for a side that is exactly 0/0 and ::/0 without the
// inside prefixes; nftables negates per match and also narrows to the base.
import { describe, expect, it } from "vitest";
import type { FirewallRule, Inventory } from "../../src/model/types.js";
import { checkFortiosCli } from "../../src/render/check/fortios.js";
import { checkJunosSet } from "../../src/render/check/junos.js";
import { fortios } from "../../src/render/platforms/fortios.js";
import { junos } from "../../src/render/platforms/junos.js";
import { nftables } from "../../src/render/platforms/nftables.js";
import { loadFixture } from "../helpers/inventory.js";
import { renderWith } from "../helpers/render.js";

const fixture = loadFixture();

/** the fixture with extra outside objects and one more rule for mie-pref */
function withRule(rule: Omit<FirewallRule, "log" | "name"> & { name?: string }): Inventory {
  const inv = structuredClone(fixture);
  type CloudObject = Inventory["cloud"]["objects"][string];
  const object = (addresses: string[], description: string): CloudObject => ({ ...inv.cloud.objects["internet"]!, addresses, description });
  inv.cloud.objects["internet4"] = object(["0.0.0.0/0"], "IPv4 only");
  inv.cloud.objects["lgwan"] = object(["10.200.0.0/13", "192.0.2.64/27"], "narrower than 0/0");
  inv.orgs.find((o) => o.id === "mie-pref")!.firewall.unshift({ log: false, name: "aaa-test", ...rule } as FirewallRule);
  return inv;
}
const text = (inv: Inventory, platform: typeof junos): string => renderWith(platform, inv).artifacts.find((a) => a.id !== "webfilter" && a.id !== "ips")!.content;
const junosPolicy = (t: string) => t.split("\n").filter((l) => l.includes("policy scconf-mie-pref-aaa-test ")).join("\n");
function fortiPolicy(t: string): string {
  return /set name "scconf-mie-pref\.aaa-test"[\s\S]*?\n {4}next/.exec(t)?.[0] ?? "";
}

describe("outside objects: negated or complement", () => {
  it("negates a side that is only internet, on both sides at once", () => {
    const inv = withRule({ from: ["internet"], to: ["internet"], protocol: "tcp", ports: [{ from: 25, to: 25 }], action: "drop" });
    const j = text(inv, junos);
    expect(junosPolicy(j)).toContain("match source-address scconf-cloud-inside\n");
    expect(junosPolicy(j)).toContain("match source-address-excluded");
    expect(junosPolicy(j)).toContain("match destination-address-excluded");
    expect(checkJunosSet(j).problems).toEqual([]);
    const f = text(inv, fortios);
    for (const key of ["srcaddr-negate", "dstaddr-negate", "srcaddr6-negate", "dstaddr6-negate"]) expect(fortiPolicy(f)).toContain(`set ${key} enable`);
    expect(checkFortiosCli(f).map((p) => p.message).filter((m) => !m.includes("profile") && !m.includes("sensor"))).toEqual([]);
  });

  it("keeps the complement when the side also names an inside object: a negation would exclude that object too", () => {
    const inv = withRule({ from: ["lan"], to: ["internet", "dns-resolvers"], protocol: "udp", ports: [{ from: 53, to: 53 }], action: "accept" });
    const j = junosPolicy(text(inv, junos));
    expect(j).not.toContain("excluded");
    expect(j).toContain("match destination-address scconf-mie-pref-internet\n");
    expect(j).toContain("match destination-address scconf-mie-pref-dns-resolvers\n");
    expect(fortiPolicy(text(inv, fortios))).not.toContain("negate");
    // nftables matches one object per line, so internet is negated on its own line and the resolvers listed on theirs
    const n = text(inv, nftables);
    expect(n).toMatch(/ip saddr @mie-pref_lan_v4 ip daddr != @cloud_inside_v4 udp dport 53 accept comment "mie-pref aaa-test"/);
    expect(n).toMatch(/ip saddr @mie-pref_lan_v4 ip daddr @mie-pref_dns-resolvers_v4 udp dport 53 accept comment "mie-pref aaa-test"/);
  });

  it("keeps the complement for an outside object without ::/0: negating it would match every IPv6 address", () => {
    const inv = withRule({ from: ["lan", "lan6"], to: ["internet4"], protocol: "tcp", ports: [{ from: 443, to: 443 }], action: "accept" });
    expect(junosPolicy(text(inv, junos))).not.toContain("excluded");
    const f = fortiPolicy(text(inv, fortios));
    expect(f).not.toContain("negate");
    expect(f).not.toContain("srcaddr6");
    expect(text(inv, nftables)).not.toMatch(/ip6 saddr @mie-pref_lan6_v6 .*aaa-test/);
  });

  it("nftables: a narrower outside object is its base and not inside; junos and fortios list its (short) complement", () => {
    const inv = withRule({ from: ["lan"], to: ["lgwan"], protocol: "tcp", ports: [{ from: 443, to: 443 }], action: "accept" });
    expect(text(inv, nftables)).toContain('ip saddr @mie-pref_lan_v4 ip daddr { 10.200.0.0/13, 192.0.2.64/27 } ip daddr != @cloud_inside_v4 tcp dport 443 accept comment "mie-pref aaa-test"');
    const j = text(inv, junos);
    expect(junosPolicy(j)).not.toContain("excluded");
    expect(j).toContain("address scconf-mie-pref-lgwan-1 10.200.0.0/13");
    expect(fortiPolicy(text(inv, fortios))).not.toContain("negate");
  });
});
