import { describe, expect, it } from "vitest";
import type { FirewallRule, Inventory } from "../../src/model/types.js";
import type { IntentChange } from "../../src/plan/intent.js";
import { firewallDirection } from "../../src/workflow/direction.js";
import { classify, reclassify, type ChangePolicy } from "../../src/workflow/policy.js";
import { assess } from "../../src/workflow/review.js";
import { loadFixture } from "../helpers/inventory.js";

const inventory = loadFixture();
const tsu = inventory.orgs.find((o) => o.id === "tsu")!;
const rule = (from: string[], to: string[]): Pick<FirewallRule, "from" | "to"> => ({ from, to });

function withTsuRules(inv: Inventory, rules: FirewallRule[]): Inventory {
  return { ...inv, orgs: inv.orgs.map((o) => (o.id === "tsu" ? { ...o, firewall: rules } : o)) };
}

const policy: ChangePolicy = {
  default: "needsApproval",
  rules: [
    { kind: "dns", operations: ["add", "change"], class: "minor", when: { recordTypes: ["TXT"] }, needsWindow: false },
    { kind: "firewall", operations: ["add"], class: "needsApproval", when: { direction: "inbound" }, needsWindow: true },
    { kind: "firewall", operations: ["add"], class: "minor", needsWindow: false },
    { kind: "spamExclusions", operations: ["add"], class: "minor", needsWindow: false },
  ],
  windows: [],
  closedDays: [],
  thresholds: { maxRemoveOrChangeShare: 0.3, minEntries: 10 },
};

const change = (c: Partial<IntentChange> & Pick<IntentChange, "kind" | "key">): IntentChange => ({ op: "add", org: "tsu", summary: "", ...c });

describe("firewall direction (the one definition of 'inbound')", () => {
  it("calls a rule from the internet object (0.0.0.0/0, ::/0) to the org's own address inbound", () => {
    expect(firewallDirection(inventory, tsu, rule(["internet"], ["web"]))).toBe("inbound");
  });

  it("calls a rule from a literal outside every organization's space to the org's own network inbound", () => {
    expect(firewallDirection(inventory, tsu, rule(["192.0.2.5/32"], ["servers"]))).toBe("inbound");
  });

  it("calls the org's own hosts going out, to the internet or to another org's export, outbound", () => {
    expect(firewallDirection(inventory, tsu, rule(["lan"], ["internet"]))).toBe("outbound");
    expect(firewallDirection(inventory, tsu, rule(["lan"], ["mie-pref:egov-servers"]))).toBe("outbound");
  });

  it("does not call traffic from the cloud's own infrastructure (a global object that is not the internet) inbound", () => {
    expect(firewallDirection(inventory, tsu, rule(["mail-relays"], ["servers"]))).toBe("outbound");
  });

  it("judges a reference that no longer resolves the stricter way (inbound)", () => {
    expect(firewallDirection(inventory, tsu, rule(["gone"], ["servers"]))).toBe("inbound");
  });
});

describe("classify: the change policy of cloud.yaml", () => {
  it("makes adding a DNS TXT record minor, and another record type falls to the default (needs approval)", () => {
    const txt = classify(change({ kind: "dns", key: "city.tsu.example.jp _dmarc TXT v=DMARC1" }), policy, { after: inventory });
    expect(txt).toMatchObject({ class: "minor", needsWindow: false });
    const a = classify(change({ kind: "dns", key: "city.tsu.example.jp new A 198.51.100.40" }), policy, { after: inventory });
    expect(a).toMatchObject({ class: "needsApproval", why: "changePolicy.default" });
  });

  it("makes opening an inbound firewall port need approval and a window, while an outbound rule stays minor (first matching rule decides)", () => {
    const after = withTsuRules(inventory, [
      ...tsu.firewall,
      { name: "cms-in", from: ["internet"], to: ["servers"], protocol: "tcp", ports: [{ from: 8443, to: 8443 }], action: "accept", log: false } as FirewallRule,
      { name: "ntp-out", from: ["lan"], to: ["192.0.2.123/32"], protocol: "udp", ports: [{ from: 123, to: 123 }], action: "accept", log: false } as FirewallRule,
    ]);
    expect(classify(change({ kind: "firewall", key: "cms-in" }), policy, { after })).toMatchObject({ class: "needsApproval", needsWindow: true, why: expect.stringContaining("rules[1]") });
    expect(classify(change({ kind: "firewall", key: "ntp-out" }), policy, { after })).toMatchObject({ class: "minor", needsWindow: false });
  });

  it("makes a rule that uses another organization's export need approval, whatever the policy says", () => {
    const c = classify(change({ kind: "firewall", key: "egov" }), policy, { after: inventory });
    expect(c.class).toBe("needsApproval");
    expect(c.why).toContain("mie-pref");
  });

  it("looks a removed rule up in the base inventory, and removals with no rule fall to the default", () => {
    const c = classify(change({ op: "remove", kind: "firewall", key: "web-in" }), policy, { before: inventory, after: withTsuRules(inventory, []) });
    expect(c).toMatchObject({ class: "needsApproval", why: "changePolicy.default" });
  });

  it("classifies again what a plan file says, ignoring the classes written in it", () => {
    const forged = { ...change({ kind: "dns", key: "city.tsu.example.jp new A 198.51.100.40" }), class: "minor" as const, needsWindow: false };
    expect(reclassify([forged], policy, { after: inventory })[0]!.class).toBe("needsApproval");
  });

  it("classifies every intent change between two inventories (the fixture's policy: spam exclusions added are minor)", () => {
    const after = { ...inventory, orgs: inventory.orgs.map((o) => (o.id === "tsu" ? { ...o, spamExclusions: [...o.spamExclusions, { name: "newsletter", sender: "news@example.com", bypass: "spam" as const, reason: "x" }] } : o)) };
    const { changes } = assess(inventory, after as Inventory);
    expect(changes).toEqual([expect.objectContaining({ op: "add", org: "tsu", kind: "spamExclusions", key: "newsletter", class: "minor" })]);
  });
});
