// Approvals are SSH-signed commits by a listed approver who wrote no part of
// the change (issue 16, holes 5 and 7), through the compiled CLI with real
// ssh-keygen keys and real git: Carol, Dave and Bob are listed approvers,
// Mallory has a key nobody listed. Bob opens a port for Tsu; every way of
// approving it other than a signed approval by Carol or Dave is refused with
// a one-line reason, and no device changes until Carol signs.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeKeys, type TestKey } from "../helpers/approvers.js";
import { makeRepo, TSU_INBOUND_RULE, type TestRepo } from "./repo.js";

const show = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;

/** Every file under the devices' directories with its content: what "nothing reached a device" compares. */
function deviceState(repo: TestRepo): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(repo.top.length)] = readFileSync(p, "utf8");
    }
  };
  walk(join(repo.top, "state", "devices"));
  return out;
}

const fingerprint = (k: TestKey) => execFileSync("ssh-keygen", ["-lf", `${k.file}.pub`], { encoding: "utf8" }).split(" ")[1]!;

describe("signed approvals: the approver is the key's owner in cloud.yaml, and never an author", () => {
  let repo: TestRepo;
  let planFile: string;
  let planId: string;
  let mallory: TestKey;
  let applied: Record<string, string>;

  /** Commits an approvals file by hand (as an attacker would): signed with `key` when given, with the plan trailer. */
  function handCommit(plan: string, entries: unknown[], author: string, key?: TestKey, message = `approve plan ${plan}\n\nScconf-Plan: ${plan}\n`): string {
    mkdirSync(join(repo.top, "approvals"), { recursive: true });
    writeFileSync(join(repo.top, "approvals", `${plan}.json`), JSON.stringify({ plan, approvals: entries }, null, 2) + "\n");
    repo.git(["add", "approvals"], author);
    const sign = key ? ["-c", "gpg.format=ssh", "-c", `user.signingkey=${key.file}`, "commit", "-S"] : ["commit"];
    repo.git([...sign, "-q", "-m", message], author);
    return repo.git(["rev-parse", "HEAD"]).trim();
  }

  /** Runs an attack on its own branch, then returns to main (approvals/ is only on the branch). */
  function onBranch(name: string, attack: () => void): void {
    repo.git(["checkout", "-q", "-b", name, "main"]);
    try {
      attack();
    } finally {
      repo.git(["checkout", "-q", "-f", "main"]);
    }
  }

  function refusedWith(reason: string | RegExp): void {
    const audit = readFileSync(join(repo.top, "backups", "audit.jsonl"), "utf8");
    const r = repo.scconf(["apply", planFile, "--yes"]);
    expect(r.code, show(r)).toBe(1);
    const line = r.stderr.split("\n").find((l) => (typeof reason === "string" ? l.includes(reason) : reason.test(l)));
    expect(line, show(r)).toBeDefined();
    expect(r.stderr).toContain("refused; nothing was changed");
    expect(deviceState(repo)).toEqual(applied);
    expect(readFileSync(join(repo.top, "backups", "audit.jsonl"), "utf8")).toBe(audit);
  }

  beforeAll(() => {
    repo = makeRepo({ localDevices: true });
    mallory = makeKeys(["Mallory"])["Mallory"]!;
    // makeRepo's window is always open: the tests judge approvals, not the clock
    // the first deployment, approved by Carol (a first apply may need approval)
    const first = join(repo.top, "first.plan.json");
    const p = repo.scconf(["plan", "--out", first]);
    if (p.code !== 2) throw new Error(`first plan: ${show(p)}`);
    const a = repo.scconf(["approve", first, "--key", repo.keys["Carol"]!.file]);
    if (a.code !== 0) throw new Error(`first approval: ${show(a)}`);
    const f = repo.scconf(["apply", first, "--yes"]);
    if (f.code !== 0) throw new Error(`first apply failed: ${show(f)}`);
    repo.edit("orgs/tsu.yaml", "  - { name: block-c2", TSU_INBOUND_RULE, "Bob", "tsu: open the CMS");
    planFile = join(repo.top, "cms.plan.json");
    const r = repo.scconf(["plan", "--out", planFile]);
    if (r.code !== 2) throw new Error(`plan: ${show(r)}`);
    planId = (JSON.parse(readFileSync(planFile, "utf8")) as { id: string }).id;
    applied = deviceState(repo);
  }, 180_000);

  it("approve refuses a key that cloud.yaml does not list", () => {
    const r = repo.scconf(["approve", planFile, "--key", mallory.file]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toContain(`the key ${fingerprint(mallory)} is not in cloud.yaml's approvers list`);
    expect(repo.git(["status", "--porcelain", "--", "approvals"]).trim()).toBe("");
  });

  it("apply does not count an approval signed by an unlisted key", () => {
    onBranch("unlisted", () => {
      handCommit(planId, [{ plan: planId, by: "Carol", at: "2026-11-30T00:00:00Z", key: fingerprint(mallory), authors: [] }], "Mallory", mallory);
      refusedWith(`the approval by Carol does not count: commit`);
      refusedWith(`is signed by a key that is not in cloud.yaml's approvers list (${fingerprint(mallory)})`);
    });
  });

  it("apply does not count an unsigned approval, even one naming a listed approver's key", () => {
    onBranch("unsigned", () => {
      handCommit(planId, [{ plan: planId, by: "Carol", at: "2026-11-30T00:00:00Z", key: fingerprint(repo.keys["Carol"]!), authors: ["Bob"] }], "Carol");
      refusedWith(/the approval by Carol does not count: commit [0-9a-f]{12} \(Carol\) that wrote approvals\/[0-9a-f]{16}\.json is not signed/);
    });
  });

  it("approve refuses an author approving with their own key, whatever name they give", () => {
    const bob = repo.keys["Bob"]!.file;
    const other = repo.scconf(["approve", planFile, "--key", bob, "--by", "Carol"]);
    expect(other.code, show(other)).toBe(1);
    expect(other.stderr).toContain("--by Carol does not match the key's owner Bob");
    const own = repo.scconf(["approve", planFile, "--key", bob], { GIT_AUTHOR_NAME: "Carol", GIT_COMMITTER_NAME: "Carol" });
    expect(own.code, show(own)).toBe(1);
    expect(own.stderr).toContain("Bob is an author of this change");
  });

  it("apply does not count an author's signed approval recorded under another name", () => {
    onBranch("author", () => {
      const bob = repo.keys["Bob"]!;
      handCommit(planId, [{ plan: planId, by: "Carol (NOC)", at: "2026-11-30T00:00:00Z", key: fingerprint(bob), authors: [] }], "Carol", bob);
      refusedWith("the approval by Bob does not count: Bob is an author of the change");
    });
  });

  it("apply does not count an approval by an author who wrote the change under a look-alike name", () => {
    onBranch("lookalike", () => {
      // Dave writes a change as "Dаve (NOC)" (Cyrillic а, decoration) and approves it with his own key
      repo.edit("orgs/tsu.yaml", "ports: [8443]", "ports: [8443, 9443]", "D\u0430ve (NOC)", "tsu: one more port");
      const next = join(repo.top, "lookalike.plan.json");
      expect(repo.scconf(["plan", "--out", next]).code).toBe(2);
      const nextId = (JSON.parse(readFileSync(next, "utf8")) as { id: string }).id;
      const refused = repo.scconf(["approve", next, "--key", repo.keys["Dave"]!.file]);
      expect(refused.code, show(refused)).toBe(1);
      expect(refused.stderr).toContain("Dave is an author of this change");
      handCommit(nextId, [{ plan: nextId, by: "Dave", at: "2026-11-30T00:00:00Z", key: fingerprint(repo.keys["Dave"]!), authors: [] }], "Dave", repo.keys["Dave"]);
      const r = repo.scconf(["apply", next, "--yes"]);
      expect(r.code, show(r)).toBe(1);
      expect(r.stderr).toContain('the approval by Dave does not count: Dave is an author of the change (as "D\u0430ve (NOC)")');
      expect(deviceState(repo)).toEqual(applied);
    });
  });

  it("apply does not count an approver whose key signed a commit of the change written under another name", () => {
    onBranch("author-key", () => {
      // Dave signs a change with his key but names "Robert" as its author, then approves it with the same key
      const dave = repo.keys["Dave"]!;
      const file = join(repo.inventory, "orgs", "tsu.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("ports: [8443]", "ports: [8443, 8444]"));
      repo.git(["-c", "gpg.format=ssh", "-c", `user.signingkey=${dave.file}`, "commit", "-S", "-q", "-am", "tsu: another port"], "Robert");
      const next = join(repo.top, "author-key.plan.json");
      expect(repo.scconf(["plan", "--out", next]).code).toBe(2);
      const nextId = (JSON.parse(readFileSync(next, "utf8")) as { id: string }).id;
      const refused = repo.scconf(["approve", next, "--key", dave.file]);
      expect(refused.code, show(refused)).toBe(1);
      expect(refused.stderr).toContain("Dave is an author of this change");
      handCommit(nextId, [{ plan: nextId, by: "Dave", at: "2026-11-30T00:00:00Z", key: fingerprint(dave), authors: [] }], "Dave", dave);
      const r = repo.scconf(["apply", next, "--yes"]);
      expect(r.code, show(r)).toBe(1);
      expect(r.stderr).toContain(`the approval by Dave does not count: Dave is an author of the change (their key ${fingerprint(dave)} signed a commit of it)`);
      expect(deviceState(repo)).toEqual(applied);
    });
  });

  it("apply does not count an older plan's signed approval whose file was edited to name this plan", () => {
    onBranch("hand-edited", () => {
      // Carol signed the first deployment's plan; Bob copies her approval and edits the plan id
      const old = readdirSync(join(repo.top, "approvals")).find((n) => n.endsWith(".json"))!;
      const oldId = old.replace(/\.json$/, "");
      const text = readFileSync(join(repo.top, "approvals", old), "utf8").split(oldId).join(planId);
      const entries = (JSON.parse(text) as { approvals: unknown[] }).approvals;
      handCommit(planId, entries, "Bob");
      refusedWith(/the approval by Carol does not count: commit [0-9a-f]{12} \(Bob\) that wrote approvals\/[0-9a-f]{16}\.json is not signed/);
    });
  });

  it("a later unsigned edit of a signed approval file invalidates it", () => {
    onBranch("edited-after", () => {
      const r = repo.scconf(["approve", planFile, "--key", repo.keys["Carol"]!.file]);
      expect(r.code, show(r)).toBe(0);
      const path = join(repo.top, "approvals", `${planId}.json`);
      writeFileSync(path, readFileSync(path, "utf8").replace('"authors": [', '"comment": "also port 22, fine", "authors": ['));
      repo.git(["commit", "-q", "-am", `amend approval\n\nScconf-Plan: ${planId}`], "Bob");
      refusedWith(/the approval by Carol does not count: approvals\/[0-9a-f]{16}\.json was changed after it was signed: commit [0-9a-f]{12} \(Bob\) that wrote .* is not signed; approve again/);
    });
  });

  it("applies once a listed approver who wrote nothing of the change signs it, and records the signed plan id", () => {
    const r = repo.scconf(["approve", planFile, "--key", repo.keys["Carol"]!.file, "--comment", "checked with Tsu"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`approved plan ${planId} by Carol \\(NOC; key SHA256:\\S+\\)`));
    expect(repo.git(["cat-file", "commit", "HEAD"])).toContain("-----BEGIN SSH SIGNATURE-----");
    expect(repo.git(["log", "-1", "--format=%(trailers:key=Scconf-Plan,valueonly)"]).trim()).toBe(planId);
    const a = repo.scconf(["apply", planFile, "--yes"]);
    expect(a.code, show(a)).toBe(0);
    expect(deviceState(repo)).not.toEqual(applied);
    expect(Object.values(deviceState(repo)).some((t) => t.includes("8443"))).toBe(true);
    const last = JSON.parse(readFileSync(join(repo.top, "backups", "audit.jsonl"), "utf8").trim().split("\n").at(-1)!) as { kind: string; details: { approvals: unknown[] } };
    expect(last.kind).toBe("apply");
    expect(last.details.approvals).toEqual([expect.objectContaining({ plan: planId, by: "Carol", key: fingerprint(repo.keys["Carol"]!) })]);
  });
});
