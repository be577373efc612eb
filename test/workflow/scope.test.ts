import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { codeowners } from "../../src/workflow/codeowners.js";
import { judgeScope, ownerOfPath } from "../../src/workflow/scope.js";
import { loadFixture } from "../helpers/inventory.js";
import { makeRepo, TSU_INBOUND_RULE, type TestRepo } from "./repo.js";

describe("scope: who owns the files a change touches", () => {
  it("gives each organization its own file, and everything else in the inventory to the cloud", () => {
    expect(ownerOfPath("inventory/orgs/tsu.yaml", "inventory")).toEqual({ type: "org", org: "tsu" });
    expect(ownerOfPath("inventory/cloud.yaml", "inventory")).toEqual({ type: "global" });
    expect(ownerOfPath("inventory/devices.yaml", "inventory")).toEqual({ type: "global" });
    expect(ownerOfPath("approvals/0123456789abcdef.json", "inventory")).toEqual({ type: "approvals" });
    expect(ownerOfPath("README.md", "inventory")).toEqual({ type: "outside" });
    expect(ownerOfPath("orgs/kiho.yaml", ".")).toEqual({ type: "org", org: "kiho" });
  });

  it("flags a change submitted for one organization that touches another's file, the global files or approvals", () => {
    const r = judgeScope(["inventory/orgs/tsu.yaml", "inventory/orgs/kiho.yaml", "inventory/cloud.yaml", "approvals/0123456789abcdef.json"], "inventory", [], "tsu");
    expect(r.orgs).toEqual(["kiho", "tsu"]);
    expect(r.violations).toEqual([
      "inventory/orgs/kiho.yaml belongs to kiho, not to tsu",
      "inventory/cloud.yaml is a global file of the cloud (changed only by the NOC), not tsu's",
      "approvals/0123456789abcdef.json is an approval: approvals are recorded with 'scconf approve', never in a change request",
    ]);
  });

  it("finds nothing to flag when the change stays inside the organization's file", () => {
    expect(judgeScope(["inventory/orgs/tsu.yaml"], "inventory", [], "tsu").violations).toEqual([]);
  });
});

describe("scconf scope on a git repository", () => {
  let repo: TestRepo;
  beforeAll(() => {
    repo = makeRepo();
    repo.git(["checkout", "-q", "-b", "tsu-request"]);
    repo.edit("orgs/tsu.yaml", "  - { name: block-c2", TSU_INBOUND_RULE, "Bob", "tsu: open the CMS");
  });

  it("names the organizations a change touches and passes a change confined to the submitting organization", () => {
    const r = repo.scconf(["scope", "--base", "main", "--org", "tsu"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Organizations touched: tsu");
    expect(r.stdout).toContain("tsu: 1 setting change(s)");
  });

  it("fails (exit 1) when a change submitted for tsu also edits kiho's file, even uncommitted", () => {
    const kiho = join(repo.inventory, "orgs", "kiho.yaml");
    writeFileSync(kiho, readFileSync(kiho, "utf8").replace("ports: [80, 443]", "ports: [80, 443, 8080]"));
    const r = repo.scconf(["scope", "--base", "main", "--org", "tsu"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ inventory/orgs/kiho.yaml belongs to kiho, not to tsu");
    expect(r.stdout).toContain("Organizations touched: kiho, tsu");
    expect(r.stderr).toContain("the change submitted for tsu reaches beyond its own file");
  });
});

describe("codeowners", () => {
  it("lets each organization's maintainers own its file, after the NOC's catch-all", () => {
    const inventory = loadFixture();
    const orgs = inventory.orgs.map((o) => (o.id === "tsu" ? { ...o, maintainers: ["@mie-sec-cloud/tsu", "tsu-admin"] } : { ...o, maintainers: [] }));
    const text = codeowners({ orgs }, "inventory", ["@mie-sec-cloud/noc"]);
    const lines = text.split("\n");
    expect(lines).toContain("/inventory/ @mie-sec-cloud/noc");
    expect(lines).toContain("/approvals/ @mie-sec-cloud/noc");
    expect(lines).toContain("/inventory/orgs/tsu.yaml @mie-sec-cloud/tsu @tsu-admin");
    expect(lines).toContain("# /inventory/orgs/kiho.yaml: kiho names no maintainers");
    expect(lines.indexOf("/inventory/ @mie-sec-cloud/noc")).toBeLessThan(lines.indexOf("/inventory/orgs/tsu.yaml @mie-sec-cloud/tsu @tsu-admin"));
  });

  it("writes .github/CODEOWNERS at the repository top, and --check fails when it is out of date", () => {
    const repo = makeRepo();
    const missing = repo.scconf(["codeowners", "--check"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\.github\/CODEOWNERS is missing; write it with 'scconf codeowners'/);
    const w = repo.scconf(["codeowners", "--global-owners", "@mie-sec-cloud/noc"]);
    expect(w.code, w.stderr).toBe(0);
    expect(readFileSync(join(repo.top, ".github", "CODEOWNERS"), "utf8")).toContain("/inventory/ @mie-sec-cloud/noc");
    expect(repo.scconf(["codeowners", "--check", "--global-owners", "@mie-sec-cloud/noc"]).code).toBe(0);
    const stale = repo.scconf(["codeowners", "--check", "--global-owners", "@mie-sec-cloud/other"]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("is not what the inventory says");
  });
});
