// Nothing unapproved is invisible (issue 16): a change that went out without
// the approval its class needed (an emergency apply) is marked in `history`
// and `report changes` as awaiting approval after the fact, until an
// approver signs that very plan; a hand-written approval file is never shown
// as an approval. Through the CLI, on a real git repository with real keys.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isoInZone } from "../../src/workflow/block/time.js";
import { makeRepo, TSU_INBOUND_RULE, type TestRepo } from "./repo.js";

describe("history and report changes mark what went out without its approval", () => {
  let repo: TestRepo;
  let planFile: string;
  let planId: string;
  const show = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;
  const month = () => isoInZone(new Date(), "Asia/Tokyo").slice(0, 7);
  const report = () => {
    const r = repo.scconf(["report", "changes", "--month", month()]);
    expect(r.code, show(r)).toBe(0);
    return r.stdout;
  };

  beforeAll(() => {
    repo = makeRepo({ localDevices: true });
    const first = repo.scconf(["apply", "--yes", "--emergency", "--reason", "first rollout of scconf"]);
    if (first.code !== 0) throw new Error(`first apply failed: ${show(first)}`);
    repo.edit("orgs/tsu.yaml", "  - { name: block-c2", TSU_INBOUND_RULE, "Bob", "tsu: open the CMS");
    planFile = join(repo.top, "cms.plan.json");
    const plan = repo.scconf(["plan", "--out", planFile]);
    if (plan.code !== 2) throw new Error(`plan: ${show(plan)}`);
    planId = (JSON.parse(readFileSync(planFile, "utf8")) as { id: string }).id;
    const emergency = repo.scconf(["apply", planFile, "--yes", "--emergency", "--reason", "the CMS must be reachable for the evacuation notice"]);
    if (emergency.code !== 0) throw new Error(`emergency apply: ${show(emergency)}`);
  }, 180_000);

  it("history marks the emergency run and the edit it delivered as awaiting approval after the fact", () => {
    const r = repo.scconf(["history", "--org", "tsu"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/apply .*plan-[0-9a-f]{16}: fw-nft applied.*\n\s+EMERGENCY: the CMS must be reachable for the evacuation notice; WITHOUT APPROVAL \(1 change\(s\) that need approval\): awaiting approval after the fact/);
    expect(r.stdout).toMatch(/applied .* \(plan-[0-9a-f]{16}\); EMERGENCY: the CMS must be reachable[^\n]*; WITHOUT APPROVAL \(1 change\(s\) that need approval\): awaiting approval after the fact/);
  });

  it("report changes counts it as applied without approval and marks it in the operations and emergency tables", () => {
    const md = report();
    // the first rollout and the CMS change: two runs without approval
    expect(md).toMatch(/\| 承認なしの適用（事後承認待ち） \/ Applied without approval \(awaiting after-the-fact approval\) \| 2 \|/);
    expect(md).toMatch(/\| the CMS must be reachable for the evacuation notice \| 承認なし・事後承認待ち \/ WITHOUT APPROVAL, awaiting after-the-fact approval \|/);
  });

  it("does not show a hand-written approval file as an approval: it is listed as not counting", () => {
    const forged = { plan: planId, approvals: [{ plan: planId, by: "Carol", at: new Date().toISOString(), authors: [] }] };
    mkdirSync(join(repo.top, "approvals"), { recursive: true });
    writeFileSync(join(repo.top, "approvals", `${planId}.json`), JSON.stringify(forged));
    repo.git(["add", "approvals"], "Bob");
    repo.git(["commit", "-q", "-m", "Carol approved this on the phone"], "Bob");
    const r = repo.scconf(["history"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`approval\\s+Carol\\s+plan ${planId}\\n\\s+DOES NOT COUNT: commit [0-9a-f]{12} \\(Bob\\) that wrote approvals/${planId}\\.json is not signed`));
    expect(r.stdout).not.toContain("approved after the fact");
    expect(report()).toContain("WITHOUT APPROVAL, awaiting after-the-fact approval");
    repo.git(["rm", "-q", "-r", "approvals"], "Bob");
    repo.git(["commit", "-q", "-m", "remove the unsigned approval"], "Bob");
  });

  it("shows the approver once the very plan is approved after the fact, and the report no longer counts it as awaiting", () => {
    const a = repo.scconf(["approve", planFile, "--key", repo.keys["Carol"]!.file, "--comment", "after the fact: reviewed the emergency"]);
    expect(a.code, show(a)).toBe(0);
    const r = repo.scconf(["history", "--org", "tsu"]);
    expect(r.stdout).toMatch(/EMERGENCY: the CMS must be reachable for the evacuation notice; WITHOUT PRIOR APPROVAL, approved after the fact by Carol/);
    const md = report();
    expect(md).toMatch(/\| the CMS must be reachable for the evacuation notice \| 事後承認 \/ approved after the fact: Carol \|/);
    // the first rollout still awaits its approval
    expect(md).toMatch(/\| 承認なしの適用（事後承認待ち） \/ Applied without approval \(awaiting after-the-fact approval\) \| 1 \|/);
  });
});
