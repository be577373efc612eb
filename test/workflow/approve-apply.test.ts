// Four eyes and windows through the compiled CLI, on a temporary inventory
// repository with local devices: Alice's inventory is applied once; Bob then
// opens an inbound port for Tsu; apply refuses until someone other than Bob
// approves that exact plan, and inside a maintenance window only. The
// policy's only window opens three days from today (makeRepo "closed"), so
// on the real clock every apply here is outside it; applying inside a window
// is shown by approvals-signed.test.ts and gate-attacks.test.ts (always open).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { closedWindowDay, makeRepo, TSU_INBOUND_RULE, type TestRepo } from "./repo.js";

function auditLines(repo: TestRepo): Array<{ kind: string; details?: Record<string, unknown> }> {
  return readFileSync(join(repo.top, "backups", "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { kind: string; details?: Record<string, unknown> });
}

describe("approve and apply: approvals by someone else, of this exact plan, inside a window", () => {
  let repo: TestRepo;
  let planFile: string;
  const show = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;

  beforeAll(() => {
    repo = makeRepo({ localDevices: true, window: "closed" });
    // the first apply has no baseline: it needs approval and a window, or an emergency with its reason
    const first = repo.scconf(["apply", "--yes", "--emergency", "--reason", "first rollout of scconf"]);
    if (first.code !== 0) throw new Error(`first apply failed: ${show(first)}`);
    repo.edit("orgs/tsu.yaml", "  - { name: block-c2", TSU_INBOUND_RULE, "Bob", "tsu: open the CMS");
    planFile = join(repo.top, "cms.plan.json");
  }, 120_000);

  it("plans against the inventory revision of the last apply and shows each change's class", () => {
    const r = repo.scconf(["plan", "--out", planFile]);
    expect(r.code, show(r)).toBe(2);
    expect(r.stdout).toMatch(/Changes since the last apply \(\w{12} \(the devices' revision\) → \w{12}\): 1 change\(s\), 1 need approval, 1 need a maintenance window/);
    expect(r.stdout).toContain("+ 津市 (tsu) · firewall · cms-in: internet → servers tcp/8443 accept  [needs approval, window]");
  });

  it("refuses an unapproved needs-approval change (exit 1, nothing changed)", () => {
    const before = readFileSync(join(repo.top, "backups", "audit.jsonl"), "utf8");
    const r = repo.scconf(["apply", planFile, "--yes"]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toContain("1 change(s) need approval (tsu · firewall · + cms-in)");
    expect(r.stderr).toContain("no approval of plan");
    expect(readFileSync(join(repo.top, "backups", "audit.jsonl"), "utf8")).toBe(before);
  });

  it("refuses to record an approval by the change's author", () => {
    const r = repo.scconf(["approve", planFile, "--key", repo.keys["Bob"]!.file]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toContain("Bob is an author of this change");
  });

  it("does not count an approval by the author that was committed by hand", () => {
    const id = (JSON.parse(readFileSync(planFile, "utf8")) as { id: string }).id;
    const forged = { plan: id, approvals: [{ plan: id, by: "bob", at: "2026-11-30T00:00:00Z", authors: [] }] };
    const dir = join(repo.top, "approvals");
    repo.git(["checkout", "-q", "-b", "forged"]);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${id}.json`), JSON.stringify(forged));
    repo.git(["add", "approvals"], "Bob");
    repo.git(["commit", "-q", "-m", "approve myself"], "Bob");
    const r = repo.scconf(["apply", planFile, "--yes"]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toMatch(/the approval by bob does not count: commit [0-9a-f]{12} \(Bob\) that wrote approvals\/[0-9a-f]{16}\.json is not signed/);
    repo.git(["checkout", "-q", "main"]);
  });

  it("records an approval by someone else as a signed commit of approvals/<plan-id>.json", () => {
    const r = repo.scconf(["approve", planFile, "--key", repo.keys["Carol"]!.file, "--comment", "checked with Tsu's CMS vendor"]);
    expect(r.code, show(r)).toBe(0);
    const id = (JSON.parse(readFileSync(planFile, "utf8")) as { id: string }).id;
    expect(repo.git(["log", "-1", "--format=%an|%s"]).trim()).toBe(`Carol|approve plan ${id} by Carol`);
    expect(repo.git(["cat-file", "commit", "HEAD"])).toContain("-----BEGIN SSH SIGNATURE-----");
    const file = JSON.parse(repo.git(["show", `HEAD:approvals/${id}.json`])) as { approvals: Array<{ by: string; authors: string[]; comment: string }> };
    expect(file.approvals).toEqual([expect.objectContaining({ by: "Carol", comment: "checked with Tsu's CMS vendor", authors: expect.arrayContaining(["Bob"]) })]);
  });

  it("refuses the approved change outside a maintenance window, naming the next window", () => {
    const day = closedWindowDay();
    const weekday = new Date(`${day}T12:00:00Z`).toUTCString().slice(0, 3);
    const r = repo.scconf(["apply", planFile, "--yes"]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toContain(`next window: the-one-day, ${weekday} ${day} 00:00 JST`);
    expect(r.stderr).toContain("--emergency --reason");
  });

  it("applies the approved plan outside the window only with --emergency --reason, and records the approval and the reason", () => {
    const noReason = repo.scconf(["apply", planFile, "--yes", "--emergency"]);
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toContain("--emergency needs --reason");
    const r = repo.scconf(["apply", planFile, "--yes", "--emergency", "--reason", "the CMS must be reachable for the evacuation notice"]);
    expect(r.code, show(r)).toBe(0);
    const last = auditLines(repo).at(-1)!;
    expect(last.kind).toBe("apply");
    expect(last.details).toMatchObject({
      approvals: [{ by: "Carol" }],
      window: "outside",
      changeClasses: { needsApproval: 1, needsWindow: 1 },
      emergency: { reason: "the CMS must be reachable for the evacuation notice", outsideWindow: true },
    });
  });

  it("refuses a changed plan on the strength of the older plan's approval", () => {
    repo.edit("orgs/tsu.yaml", "ports: [8443]", "ports: [8443, 9443]", "Bob", "tsu: one more port");
    const next = join(repo.top, "cms2.plan.json");
    expect(repo.scconf(["plan", "--out", next]).code).toBe(2);
    const r = repo.scconf(["apply", next, "--yes"]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toContain("approvals exist for other plans");
    expect(r.stderr).toContain("a plan that changed needs a new approval");
  });

  it("records a second approval of the changed plan in the backups audit log", () => {
    const next = join(repo.top, "cms2.plan.json");
    expect(repo.scconf(["approve", next, "--key", repo.keys["Carol"]!.file, "--by", "Carol"]).code).toBe(0);
    // the approval itself is a line of the backups audit log, beside the applies it allows
    expect(auditLines(repo).at(-1)).toMatchObject({ kind: "approval", details: { action: "approval", by: "Carol" } });
  });
});
