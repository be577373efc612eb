// The change gate fails closed (issue 16, holes 1, 2, 3, 4, 6): each attack
// is driven through the compiled CLI on a temporary inventory repository with
// local devices, and each is refused with one clear line while every device
// directory stays byte for byte as it was. The repository's policy has
// one window that is always open (makeRepo), so a real apply runs on the real clock and
// no test depends on the calendar: what is refused is refused for a reason
// other than the window. No --today is passed to a real apply (it is refused).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { planId } from "../../src/plan/build.js";
import { sha256 } from "../../src/plan/hash.js";
import type { Plan } from "../../src/plan/types.js";
import { makeRepo, TSU_INBOUND_RULE, type TestRepo } from "./repo.js";

const MINOR_EXCLUSION = "  - { name: vendor-domain, sender: vendor.example.com, reason: 保守ベンダー }\n  - { name: newsletter, sender: news.example.org, reason: 広報誌 }";

function devices(repo: TestRepo): Map<string, string> {
  const root = join(repo.top, "state", "devices");
  const out = new Map<string, string>();
  if (!existsSync(root)) return out;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p).toString("base64"));
    }
  };
  walk(root);
  return out;
}

const show = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;
/** The one line that says why (the line after "refused; nothing was changed:" or the refusal itself). */
const reason = (r: { stderr: string }) => r.stderr.split("\n").filter((l) => l.trim()).slice(0, 6).join("\n");

describe("the change gate fails closed", () => {
  let repo: TestRepo;
  const real = (args: string[], env: Record<string, string> = {}) => repo.scconf(args, env);
  /** runs a command that must be refused, and checks that no device changed */
  const refused = (args: string[], env: Record<string, string> = {}) => {
    const before = devices(repo);
    const r = real(args, env);
    expect(r.code, show(r)).not.toBe(0);
    expect(devices(repo)).toEqual(before);
    return r;
  };
  const savePlan = (name: string): { file: string; plan: Plan & { review?: { base?: { commit: string } } } } => {
    const file = join(repo.top, `${name}.plan.json`);
    const r = real(["plan", "--out", file]);
    expect([0, 2], show(r)).toContain(r.code);
    return { file, plan: JSON.parse(readFileSync(file, "utf8")) as Plan };
  };

  beforeAll(() => {
    repo = makeRepo({ localDevices: true });
  }, 60_000);

  it("refuses the first apply without approval: no baseline, every difference needs approval (one line says why)", () => {
    const r = refused(["apply", "--yes"]);
    expect(r.stderr).toContain("no baseline (no apply of");
    expect(r.stderr).toContain("(first apply)): every difference needs approval and a maintenance window");
  });

  it("lets the first rollout through as an emergency, recorded as awaiting after-the-fact approval", () => {
    const r = real(["apply", "--yes", "--emergency", "--reason", "initial rollout of scconf"]);
    expect(r.code, show(r)).toBe(0);
    const audit = readFileSync(join(repo.top, "backups", "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { details: Record<string, unknown> });
    const last = audit[audit.length - 1]!.details;
    expect(last["emergency"]).toMatchObject({ reason: "initial rollout of scconf", awaitingApproval: true });
    expect((last["unapproved"] as unknown[]).length).toBeGreaterThan(0);
    expect(last["gate"]).toMatchObject({ base: { none: expect.stringContaining("first apply") } });
  });

  it("refuses a real apply with a faked time (--now, SCCONF_NOW) or date (--today)", () => {
    repo.edit("orgs/tsu.yaml", "  - { name: vendor-domain, sender: vendor.example.com, reason: 保守ベンダー }", MINOR_EXCLUSION, "Bob", "tsu: exclude the newsletter");
    expect(refused(["apply", "--yes", "--now", "2026-11-30T23:00:00+09:00"]).stderr).toMatch(/the time 2026-11-30T23:00:00\+09:00 \(--now or SCCONF_NOW\) is set, and a real apply or block runs on the clock/);
    expect(refused(["apply", "--yes"], { SCCONF_NOW: "2026-11-30T23:00:00+09:00" }).stderr).toContain("unset SCCONF_NOW");
    expect(refused(["--today", "2027-04-01", "apply", "--yes"]).stderr).toContain("the date 2027-04-01 (--today) is set");
    expect(refused(["--today", "2027-04-01", "block", "192.0.2.77", "--reason", "x", "--yes"]).stderr).toContain("a real apply or block runs on the clock");
  });

  it("applies a minor change judged against the devices' revision (the legitimate flow)", () => {
    const r = real(["apply", "--yes"]);
    expect(r.code, show(r)).toBe(0);
  });

  it("refuses a hand-made plan (forged content, re-hashed): not what the committed inventory renders", () => {
    repo.edit("orgs/tsu.yaml", "  - { name: block-c2", TSU_INBOUND_RULE, "Bob", "tsu: open the CMS");
    const { file, plan } = savePlan("forged");
    const fw = plan.devices.find((d) => d.device === "fw-nft")!;
    const art = fw.artifacts[0]!;
    art.desired += "add rule inet filter input tcp dport 22 accept\n";
    art.desiredHash = sha256(art.desired);
    plan.intentChanges = [];
    (plan as { review?: unknown }).review = { base: { commit: repo.git(["rev-parse", "HEAD"]).trim(), label: "HEAD" }, head: plan.inventoryRevision, thresholds: [] };
    plan.id = planId(plan.devices, plan.intentChanges);
    writeFileSync(file, JSON.stringify(plan));
    const r = refused(["apply", file, "--yes"]);
    expect(r.stderr).toContain("fw-nft/");
    expect(r.stderr).toContain("the plan's content is not what the inventory at");
  });

  it("refuses a plan whose check command, path or base was edited (fields outside the plan id)", () => {
    const { file, plan } = savePlan("edited");
    const id = plan.id;
    const cmd = structuredClone(plan);
    cmd.devices[0]!.checkCommand = "touch /tmp/scconf-pwned";
    writeFileSync(file, JSON.stringify(cmd));
    expect(refused(["apply", file, "--yes"]).stderr).toContain(`${plan.devices[0]!.device}: the plan's check command is not the inventory's`);
    const path = structuredClone(plan);
    path.devices[0]!.artifacts[0]!.path = "/etc/passwd";
    writeFileSync(file, JSON.stringify(path));
    expect(refused(["apply", file, "--yes"]).stderr).toContain("the plan's path /etc/passwd is not the inventory's");
    const base = structuredClone(plan);
    base.review = { base: { commit: repo.git(["rev-parse", "HEAD"]).trim() } };
    writeFileSync(file, JSON.stringify(base));
    const r = refused(["apply", file, "--yes"]);
    // the base is the devices' revision, not the plan's: the inbound rule is still judged and needs approval
    expect(r.stderr).toContain("need approval (tsu · firewall · + cms-in)");
    expect(r.stderr).toContain(`plan ${id} has no approval`);
  });

  it("judges with the policy in force: a relaxed policy in the working tree is not applied, and committed it needs approval itself", () => {
    const cloud = join(repo.inventory, "cloud.yaml");
    const text = readFileSync(cloud, "utf8");
    writeFileSync(cloud, text.replace(/changePolicy:\n  default: needsApproval\n  rules:\n(    - .*\n)+/, "changePolicy:\n  default: minor\n  rules: []\n"));
    // a plan of uncommitted edits can be rehearsed, not applied
    const { file } = savePlan("dirty");
    expect(refused(["apply", file, "--yes"]).stderr).toContain("the plan was made from uncommitted edits");
    const dry = real(["apply", file, "--dry-run", "--yes"]);
    expect(dry.code, show(dry)).toBe(0);
    // apply without a plan file pushes HEAD and says that the working tree differs
    const head = refused(["apply", "--yes"]);
    expect(head.stderr).toContain("the working tree has uncommitted edits: applying the committed inventory");
    expect(head.stderr).toContain("need approval (tsu · firewall · + cms-in)");
    repo.git(["commit", "-qam", "relax the policy"], "Bob");
    const r = refused(["apply", "--yes"]);
    expect(r.stderr).toContain("cloud · policy · ~ changePolicy");
    expect(r.stderr).toContain("tsu · firewall · + cms-in");
    repo.git(["revert", "--no-edit", "HEAD"], "Bob");
  });

  it("refuses an unapproved change after a block: the block keeps the devices' baseline", () => {
    const b = real(["block", "192.0.2.77", "--reason", "C2 server", "--ticket", "INC-9", "--expires", "72h", "--yes"]);
    expect(b.code, show(b)).toBe(0);
    const r = refused(["apply", "--yes"]);
    expect(r.stderr).toContain("1 change(s) need approval (tsu · firewall · + cms-in)");
  });

  it("refuses any change after a rollback that leaves the devices on different revisions", () => {
    const rb = real(["rollback", "mail-sa", "--to", "1", "--yes"]);
    expect(rb.code, show(rb)).toBe(0);
    // take the inbound rule out again and add a minor exclusion, which a baseline would let through
    repo.edit("orgs/tsu.yaml", TSU_INBOUND_RULE, "  - { name: block-c2", "Bob", "tsu: not now");
    repo.edit("orgs/tsu.yaml", "  - { name: newsletter,", "  - { name: bulletin, sender: bulletin.example.org, reason: 会報 }\n  - { name: newsletter,", "Bob", "tsu: exclude the bulletin");
    const r = refused(["apply", "--yes"]);
    expect(r.stderr).toMatch(/no baseline \(the devices were last brought to different revisions \([^)]*\)\): every difference needs approval and a maintenance window/);
  });
});
