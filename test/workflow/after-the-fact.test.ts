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

describe("an emergency block is approved after the fact by its change id", () => {
  let repo: TestRepo;
  const show = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;

  beforeAll(() => {
    repo = makeRepo({ localDevices: true });
    const first = repo.scconf(["apply", "--yes", "--emergency", "--reason", "first rollout of scconf"]);
    if (first.code !== 0) throw new Error(`first apply failed: ${show(first)}`);
    const block = repo.scconf(["block", "192.0.2.99", "--reason", "C&C (severity 3)", "--ticket", "INC-9", "--operator", "Dave", "--yes"]);
    if (block.code !== 0) throw new Error(`block failed: ${show(block)}`);
  }, 180_000);

  it("shows the block as awaiting approval after the fact", () => {
    const r = repo.scconf(["history"]);
    expect(r.stdout).toMatch(/emergency\s+Dave\s+INC-9: .*\n\s+EMERGENCY: C&C \(severity 3\); WITHOUT APPROVAL: awaiting approval after the fact/);
  });

  it("refuses the approval of the block by the operator who made it", () => {
    const r = repo.scconf(["approve", "--change", "INC-9", "--key", repo.keys["Dave"]!.file]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toMatch(/Dave is an author of this change \(authors: .*Dave.*\); an approval must come from someone else/);
  });

  it("refuses --change for a run that did not go out without its approval, and for an unknown id", () => {
    expect(repo.scconf(["approve", "--change", "INC-404", "--key", repo.keys["Carol"]!.file]).stderr).toMatch(/no run with change id INC-404 changed a device/);
    expect(repo.scconf(["approve", "--key", repo.keys["Carol"]!.file]).stderr).toMatch(/name a plan file, or --change ID/);
  });

  it("records Carol's signed approval of the block and history shows it as approved after the fact", () => {
    const a = repo.scconf(["approve", "--change", "INC-9", "--key", repo.keys["Carol"]!.file]);
    expect(a.code, show(a)).toBe(0);
    expect(a.stdout).toMatch(/approved plan [0-9a-f]{16} by Carol .*\(the emergency emergency INC-9 of .*, after the fact \(reason: C&C \(severity 3\)\)\); committed approvals\/[0-9a-f]{16}\.json as [0-9a-f]{12}, signed/);
    const r = repo.scconf(["history"]);
    expect(r.stdout).toMatch(/INC-9: .*\n\s+EMERGENCY: C&C \(severity 3\); WITHOUT PRIOR APPROVAL, approved after the fact by Carol/);
  });
});
