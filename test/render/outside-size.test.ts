// The size of "outside the cloud" (issue 17 follow-up). An outside object
// such as `internet` is 0.0.0.0/0 and ::/0 without every inside prefix; as a
// list of CIDRs that complement has ~565 prefixes on the sample inventory
// and was repeated per organization and rule, so the sample's ietf-acl
// artifact reached ~1,065,000 lines, fortios ~57,000 and junos ~39,000.
// Where the dialect can negate (nftables `!= @set`, Junos
// `destination-address-excluded`, FortiOS `dstaddr-negate`), the inside
// prefixes are written once and every rule costs a constant number of lines,
// so the artifact grows with the inside set once, not once per rule.
import { describe, expect, it } from "vitest";
import type { Inventory } from "../../src/model/types.js";
import type { Platform } from "../../src/render/platform.js";
import { fortios } from "../../src/render/platforms/fortios.js";
import { ietfAcl } from "../../src/render/platforms/ietf-acl.js";
import { junos } from "../../src/render/platforms/junos.js";
import { nftables } from "../../src/render/platforms/nftables.js";
import { loadFixture, SAMPLE_INVENTORY } from "../helpers/inventory.js";
import { renderWith } from "../helpers/render.js";

const content = (platform: Platform, inv: Inventory, artifact: string): string => {
  const a = renderWith(platform, inv).artifacts.find((x) => x.id === artifact);
  if (!a) throw new Error(`no artifact ${artifact}`);
  return a.content;
};
const lines = (platform: Platform, inv: Inventory, artifact: string): number => content(platform, inv, artifact).split("\n").length - 1;
/** nft writes a set's elements on one line: its size shows in bytes */
const bytes = (platform: Platform, inv: Inventory, artifact: string): number => Buffer.byteLength(content(platform, inv, artifact), "utf8");

/** The sample with `extra` more networks of one organization that no rule names: only the inside set grows. */
function withMoreInside(inv: Inventory, extra: number): Inventory {
  const copy = structuredClone(inv);
  const org = copy.orgs.find((o) => o.id === "tsu") ?? copy.orgs[0]!;
  // 100.64.0.0/10 is outside every other prefix of the sample; every other /24 so that none merge
  for (let i = 0; i < extra; i++) org.networks.push({ name: `spare-${i}`, cidr: `100.64.${i * 2}.0/24`, description: "spare" });
  return copy;
}

describe("outside objects stay compact on the sample inventory", () => {
  const sample = loadFixture(SAMPLE_INVENTORY);

  // bounds: the sample has 33 organizations, ~160 rules and 108 inside
  // prefixes (aggregated); a rule costs at most ~25 lines (fortios: one
  // policy block), the inside set ~4 lines per prefix, the rest of the
  // artifact (the organizations' own objects) a few thousand lines
  it("nftables: a set of the inside prefixes once, not a complement set per organization", () => {
    // was 289 kB with a ~560-element set per organization naming internet
    expect(bytes(nftables, sample, "ruleset")).toBeLessThan(120_000);
  });

  it("nftables: 40 more inside prefixes cost their elements once", () => {
    const before = bytes(nftables, sample, "ruleset");
    const after = bytes(nftables, withMoreInside(sample, 40), "ruleset");
    // ~16 bytes per element, in cloud_inside_v4 and in tsu's own set of its bandwidth cap; before, in every internet set
    expect(after - before).toBeLessThanOrEqual(40 * 40);
  });

  it("junos: one inside address-set and excluded matches", () => {
    expect(lines(junos, sample, "security-policies")).toBeLessThan(4_000);
  });

  it("fortios: one inside group and negated addresses", () => {
    expect(lines(fortios, sample, "firewall")).toBeLessThan(9_000);
  });

  it.each([
    // a prefix is in the inside set once and, tsu having a bandwidth cap, in tsu's own addresses once:
    // junos 2 + 2 lines (address, set member; the filter's two directions), fortios 4 + 4 (an address block each).
    // Before, the complement of every rule naming internet grew too: ~94 lines per prefix on both.
    ["junos", junos, "security-policies", 4],
    ["fortios", fortios, "firewall", 8],
  ] as const)("%s: 40 more inside prefixes cost a few lines each, once (not once per rule that names internet)", (_name, platform, artifact, perPrefix) => {
    const before = lines(platform, sample, artifact);
    const after = lines(platform, withMoreInside(sample, 40), artifact);
    expect(after - before).toBeLessThanOrEqual(40 * perPrefix);
  });

  it("ietf-acl: has no negation; the complement stays, its cross product with the other side is as small as CIDR aggregation allows", () => {
    // an ace matches one source prefix, one destination prefix and one port
    // range. 33 web-inbound rules × 363 IPv4 complement prefixes × 2 ports,
    // their two /32 destinations (web, bousai) joined into one /31: 23,958
    // aces; all rules 27,400 aces of ~20 lines. Before the join, 47,916 for
    // web-inbound alone and 1,065,346 lines.
    const text = content(ietfAcl, sample, "acls");
    expect(text.split("<ace>").length - 1).toBeLessThan(28_000);
    expect(lines(ietfAcl, sample, "acls")).toBeLessThan(600_000);
  });
});
