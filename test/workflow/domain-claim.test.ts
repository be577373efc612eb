// Claiming a domain is a change to the namespace all organizations share
// (issue 17): the NOC assigns domains. Even where cloud.yaml makes "dns add"
// minor, a new claim needs approval, and `scconf scope` does not call it a
// change "inside its own file".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { makeRepo, type TestRepo } from "./repo.js";

interface PlanJson { intentChanges: Array<{ op: string; org: string; kind: string; key: string; class: string; why: string }> }

describe("a new domain claim", () => {
  let repo: TestRepo;
  beforeAll(() => {
    repo = makeRepo();
    // the NOC's policy: every dns addition is minor (records, as it was meant)
    repo.edit("cloud.yaml", "    - { kind: dns, operations: [add], class: minor, when: { recordTypes: [TXT] } }",
      "    - { kind: dns, operations: [add], class: minor }", "Alice", "policy: dns additions are minor");
    repo.git(["checkout", "-q", "-b", "kiho-request"]);
    repo.edit("orgs/kiho.yaml", "domains: [town.kiho.example.jp, 紀宝.example.jp]", "domains: [town.kiho.example.jp, 紀宝.example.jp, kiho-kankou.example.jp]", "Bob", "kiho: tourism domain");
  });
  afterAll(() => rmSync(repo.top, { recursive: true, force: true }));

  it("is classed needsApproval by the review plan, not by the 'dns add: minor' rule", () => {
    const r = repo.scconf(["plan", "--base", "main", "--format", "json"]);
    expect([0, 2], r.stderr).toContain(r.code);
    const plan = JSON.parse(r.stdout) as PlanJson;
    const claim = plan.intentChanges.find((c) => c.org === "kiho" && c.key.includes("kiho-kankou.example.jp"));
    expect(claim, r.stdout).toMatchObject({ op: "add", kind: "dns", class: "needsApproval" });
    expect(claim!.why).toContain("domain claim");
  });

  it("is not 'inside its own file' for scope", () => {
    const r = repo.scconf(["scope", "--base", "main", "--org", "kiho"]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain("kiho claims the domain kiho-kankou.example.jp: a change to the shared namespace");
    expect(r.stdout).not.toContain("stays inside kiho's own file");
  });
});
