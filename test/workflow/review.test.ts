// The review plan between two revisions, through the compiled CLI on a
// temporary git repository: nothing but the inventory is read.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeRepo, TSU_INBOUND_RULE, type TestRepo } from "./repo.js";

describe("plan --base: review plan between revisions", () => {
  let repo: TestRepo;
  beforeAll(() => {
    repo = makeRepo();
    repo.git(["checkout", "-q", "-b", "tsu-cms"]);
    repo.edit("orgs/tsu.yaml", "  - { name: block-c2", TSU_INBOUND_RULE, "Bob", "tsu: open the CMS");
    repo.edit("orgs/tsu.yaml", '      - { name: "@", type: MX', '      - { name: _dmarc, type: TXT, value: "v=DMARC1; p=none" }\n      - { name: "@", type: MX', "Bob", "tsu: DMARC");
  });

  it("lists the intent changes per organization and kind with their class, and exits 2", () => {
    const r = repo.scconf(["plan", "--base", "main"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toContain("+ 津市 (tsu) · firewall · cms-in: internet → servers tcp/8443 accept  [needs approval, window]");
    expect(r.stdout).toContain("+ 津市 (tsu) · dns · city.tsu.example.jp _dmarc TXT v=DMARC1; p=none: _dmarc.city.tsu.example.jp TXT v=DMARC1; p=none  [minor]");
    expect(r.stdout).toMatch(/fw-nft\s+nftables\s+1 artifact\(s\) change/);
    // a device whose settings did not change shows no diff (at most its header's revision line)
    expect(r.stdout).toMatch(/rp-nginx\s+nginx\s+(no changes|only the revision header changes)/);
  });

  it("renders the base from git without touching the working tree, and contacts no device", () => {
    repo.scconf(["plan", "--base", "main", "--head", "tsu-cms"]);
    expect(repo.git(["status", "--porcelain"])).toBe("");
    expect(existsSync(join(repo.top, "state"))).toBe(false);
    expect(existsSync(join(repo.top, "backups"))).toBe(false);
  });

  it("writes Markdown for a pull-request comment: a summary table on top, one collapsible section per changed device", () => {
    const r = repo.scconf(["plan", "--base", "main", "--format", "markdown"]);
    expect(r.code, r.stderr).toBe(2);
    const md = r.stdout;
    expect(md.indexOf("| organization | change kind | added | changed | removed | class | window |")).toBeLessThan(md.indexOf("<details><summary>"));
    expect(md).toContain("| 津市 (tsu) | Firewall access restrictions | 1 | 0 | 0 | **needs approval** | yes |");
    expect(md).toContain("| 津市 (tsu) | DNS records | 1 | 0 | 0 | minor |  |");
    expect(md).toMatch(/<details><summary><code>fw-nft<\/code> nftables · 1 artifact\(s\) · \+\d+ −\d+<\/summary>\n\n`\/etc\/nftables.d\/scconf.nft` \(update\)\n\n```diff\n/);
    expect(md.match(/<details><summary><code>/g)).toHaveLength(5);
  });

  it("prints the plan as JSON with the class of every change and the revisions it compares", () => {
    const r = repo.scconf(["plan", "--base", "main", "--format", "json"]);
    const plan = JSON.parse(r.stdout) as { review: { base: { commit: string } }; intentChanges: Array<{ key: string; class: string; needsWindow: boolean }>; devices: Array<{ source: string }> };
    expect(plan.review.base.commit).toBe(repo.git(["rev-parse", "main"]).trim());
    expect(plan.intentChanges.find((c) => c.key === "cms-in")).toMatchObject({ class: "needsApproval", needsWindow: true });
    expect(plan.devices.every((d) => d.source === "base-revision")).toBe(true);
  });

  it("exits 0 with nothing to review between equal revisions, and 1 for a revision that does not exist", () => {
    const same = repo.scconf(["plan", "--base", "main", "--head", "main"]);
    expect(same.code, same.stderr).toBe(0);
    const bad = repo.scconf(["plan", "--base", "no-such-branch"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"no-such-branch" names no commit');
  });
});

describe("plan without --base: the change list since the last apply", () => {
  it("says in one line why there is no baseline when no apply is recorded yet", () => {
    const repo = makeRepo();
    const r = repo.scconf(["plan", "--offline"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/no baseline \(no apply of [\w-]+ is recorded with its inventory revision \(first apply\)\): every difference needs approval and a maintenance window/);
  });
});

