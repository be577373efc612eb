import { describe, expect, it } from "vitest";
import type { DnsRecord, Inventory } from "../../src/model/types.js";
import { intentOf } from "../../src/plan/intent.js";
import type { Approval } from "../../src/workflow/approvals.js";
import { evaluateGates, type GateInput } from "../../src/workflow/gates.js";
import type { ChangePolicy, ClassifiedChange } from "../../src/workflow/policy.js";
import { assess } from "../../src/workflow/review.js";
import { checkThresholds } from "../../src/workflow/thresholds.js";
import { loadFixture } from "../helpers/inventory.js";

const inventory = loadFixture();
const policy: ChangePolicy = inventory.cloud.changePolicy;
const PLAN = "0123456789abcdef";
const OLD_PLAN = "fedcba9876543210";
const MONDAY_NIGHT = new Date("2026-11-30T23:00:00+09:00");
const MONDAY_MORNING = new Date("2026-11-30T10:00:00+09:00");

const inbound: ClassifiedChange = { op: "add", org: "tsu", kind: "firewall", key: "cms-in", summary: "internet → servers tcp/8443 accept", class: "needsApproval", needsWindow: true, why: "rules[2]" };
const minorTxt: ClassifiedChange = { op: "add", org: "tsu", kind: "dns", key: "city.tsu.example.jp _dmarc TXT x", summary: "", class: "minor", needsWindow: false, why: "rules[1]" };
const approval = (by: string, plan = PLAN): Approval => ({ plan, by, at: "2026-11-30T09:00:00Z", authors: ["Bob"], key: `SHA256:key-of-${by}`, commit: "c".repeat(40) });

function gates(over: Partial<GateInput>) {
  return evaluateGates({
    planId: PLAN,
    changes: [inbound],
    thresholds: [],
    approvals: [],
    approvedPlans: [],
    authors: ["Bob"],
    now: MONDAY_NIGHT,
    policy,
    timeZone: "Asia/Tokyo",
    force: false,
    ...over,
  });
}

describe("apply's gates: approval (R2, R4)", () => {
  it("refuses an unapproved change that needs approval, naming the change and how to approve", () => {
    const r = gates({});
    expect(r.refusals).toHaveLength(1);
    expect(r.refusals[0]).toContain("1 change(s) need approval (tsu · firewall · + cms-in)");
    expect(r.refusals[0]).toContain("scconf approve");
  });

  it("lets a plan with only minor changes through without approval", () => {
    expect(gates({ changes: [minorTxt] }).refusals).toEqual([]);
  });

  it("does not count an approval by the change's author (names compare without case or width)", () => {
    const r = gates({ approvals: [approval("ｂｏｂ")] });
    expect(r.refusals[0]).toMatch(/approval by ｂｏｂ does not count: ｂｏｂ is an author/);
  });

  it("does not count an approval of an older plan hash: a changed plan needs a new approval", () => {
    const r = gates({ approvals: [approval("Carol", OLD_PLAN)], approvedPlans: [OLD_PLAN] });
    expect(r.refusals[0]).toContain(`it approves plan ${OLD_PLAN}, not ${PLAN}`);
    expect(r.refusals[0]).toContain("a plan that changed needs a new approval");
  });

  it("goes ahead with an approval of this plan by someone else, and records who approved and which plan they signed", () => {
    const r = gates({ approvals: [approval("Carol")] });
    expect(r.refusals).toEqual([]);
    expect(r.audit).toMatchObject({ approvals: [{ by: "Carol", plan: PLAN, key: "SHA256:key-of-Carol" }], authors: ["Bob"], window: "weeknight" });
  });

  it("does not count an approval without a signature, or one readApprovals found a problem with", () => {
    const { key: _key, ...unsigned } = approval("Carol");
    expect(gates({ approvals: [unsigned] }).refusals[0]).toContain("the approval by Carol does not count: not signed");
    expect(gates({ approvals: [{ ...approval("Carol"), problem: "commit abc (Bob) that wrote approvals/x.json is not signed" }] }).refusals[0]).toContain(
      "the approval by Carol does not count: commit abc (Bob) that wrote approvals/x.json is not signed",
    );
  });

  it("does not count an approver whose key signed a commit of the change, whatever their name", () => {
    const r = gates({ approvals: [approval("Carol")], authors: ["Robert"], authorKeys: ["SHA256:key-of-Carol"] });
    expect(r.refusals[0]).toContain("the approval by Carol does not count: Carol is an author of the change (their key SHA256:key-of-Carol signed a commit of it)");
  });

  it("folds look-alike author names: decorations, zero-width and Cyrillic letters do not make another person", () => {
    for (const author of ["Carol (NOC)", "Ca\u200brol", "C\u0430rol", "[NOC] carol"]) {
      expect(gates({ approvals: [approval("Carol")], authors: [author] }).refusals[0], author).toContain("Carol is an author of the change");
    }
  });
});

describe("apply's gates: maintenance windows (R7)", () => {
  it("refuses a change that needs a window outside every window, naming the next one", () => {
    const r = gates({ approvals: [approval("Carol")], now: MONDAY_MORNING });
    expect(r.refusals).toHaveLength(1);
    expect(r.refusals[0]).toContain("it is Mon 2026-11-30 10:00 JST, outside every window; next window: weeknight, Mon 2026-11-30 22:00 JST");
  });

  it("lets --emergency with a reason override the window, and records the reason", () => {
    const r = gates({ approvals: [approval("Carol")], now: MONDAY_MORNING, emergency: { reason: "C&C server blocked by the CSIRT" } });
    expect(r.refusals).toEqual([]);
    // approved already: only the window was overridden, no approval is awaited
    expect(r.audit["emergency"]).toEqual({ reason: "C&C server blocked by the CSIRT", outsideWindow: true, awaitingApproval: false });
    expect(r.audit["window"]).toBe("outside");
  });

  it("records an unapproved emergency as awaiting approval after the fact, with the changes it pushed unapproved", () => {
    const r = gates({ approvals: [], now: MONDAY_MORNING, emergency: { reason: "C&C server blocked by the CSIRT" } });
    expect(r.refusals).toEqual([]);
    expect(r.audit["emergency"]).toMatchObject({ awaitingApproval: true });
    expect((r.audit["unapproved"] as unknown[]).length).toBeGreaterThan(0);
  });

  it("does not ask for a window when no change needs one", () => {
    expect(gates({ changes: [minorTxt], now: MONDAY_MORNING }).refusals).toEqual([]);
  });
});

describe("safety thresholds (octoDNS's 30 %, per zone, organization and device)", () => {
  // tsu's zone grows to 14 records; the change then deletes 10 of them
  const extra: DnsRecord[] = Array.from({ length: 10 }, (_, i) => ({ name: `host${i}`, type: "A", value: `198.51.100.${100 + i}` }) as DnsRecord);
  const withRecords = (inv: Inventory, records: (rs: DnsRecord[]) => DnsRecord[]): Inventory => ({
    ...inv,
    orgs: inv.orgs.map((o) => (o.id !== "tsu" ? o : { ...o, dns: o.dns.map((z) => ({ ...z, records: records(z.records) })) })),
  });
  const before = withRecords(inventory, (rs) => [...rs, ...extra]);
  const after = withRecords(inventory, (rs) => rs);

  it("finds a mass deletion of a zone's records above the share", () => {
    const findings = checkThresholds(intentOf(before), assess(before, after).changes, policy, before.devices);
    const zone = findings.find((f) => f.scope === "zone" && f.name === "city.tsu.example.jp");
    expect(zone).toMatchObject({ existing: 14, removedOrChanged: 10, exceeded: true });
  });

  it("refuses the mass deletion unless forced, and forced only with an approval", () => {
    const { changes, thresholds } = assess(before, after);
    expect(gates({ changes, thresholds }).refusals.join("\n")).toMatch(/exceeds the safety thresholds \(zone city\.tsu\.example\.jp: 10 of 14 removed or changed \(71 % > 30 %\)/);
    const forcedOnly = gates({ changes, thresholds, force: true });
    expect(forcedOnly.refusals).toHaveLength(1);
    expect(forcedOnly.refusals[0]).toContain("no approval by someone other than");
    expect(gates({ changes, thresholds, force: true, approvals: [approval("Carol")] }).refusals).toEqual([]);
  });

  it("does not judge a zone with fewer entries than minEntries", () => {
    const small = withRecords(inventory, (rs) => rs.slice(0, 1));
    expect(checkThresholds(intentOf(inventory), assess(inventory, small).changes, policy, []).every((f) => !f.exceeded)).toBe(true);
  });
});
