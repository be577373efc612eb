// Issue 18, "a dry run never asks for confirmation; every refusal exits
// non-zero", through the CLI on local devices. Without a terminal, a command
// that would ask refuses ("pass --yes"); a dry run changes nothing, so it must
// rehearse instead. A rollback that can restore nothing is a refusal, not
// "the devices already run that generation" with exit 0.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeRepo, TSU_INBOUND_RULE, type TestRepo } from "../workflow/repo.js";

const show = (r: { code: number; stdout: string; stderr: string }) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

describe("dry runs and refusals", () => {
  let repo: TestRepo;
  let firstChange: string;
  let rulesetBefore: string;
  const ruleset = () => readFileSync(join(repo.top, "state/devices/fw-nft/etc/nftables.d/scconf.nft"), "utf8");

  beforeAll(() => {
    repo = makeRepo({ localDevices: true });
    const first = repo.scconf(["apply", "--yes", "--emergency", "--reason", "first rollout of scconf"]);
    if (first.code !== 0) throw new Error(`first apply: ${show(first)}`);
    // history lists the newest first: the first rollout is the last run it shows
    firstChange = [...repo.scconf(["history"]).stdout.matchAll(/ apply +\S.*? (plan-[0-9a-f]{16}):/g)].at(-1)?.[1] ?? "";
    repo.edit("orgs/tsu.yaml", "  - { name: block-c2", TSU_INBOUND_RULE, "Bob", "tsu: CMS reachable from the internet");
    const second = repo.scconf(["apply", "--yes", "--emergency", "--reason", "the CMS for the evacuation notice"]);
    if (second.code !== 0) throw new Error(`second apply: ${show(second)}`);
    rulesetBefore = ruleset();
  });

  it("found the first change in history", () => {
    expect(firstChange).toMatch(/^plan-[0-9a-f]{16}$/);
  });

  it("rollback --dry-run without --yes and without a terminal rehearses: it does not ask, and changes nothing", () => {
    const r = repo.scconf(["rollback", "fw-nft", "--to", "1", "--dry-run"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stderr).not.toContain("confirmation");
    expect(r.stdout).toMatch(/fw-nft\s+.*rehearsed/);
    expect(ruleset()).toBe(rulesetBefore);
  });

  it("apply --dry-run without --yes and without a terminal rehearses: it does not ask, and changes nothing", () => {
    repo.edit("orgs/tsu.yaml", "cms-in", "cms-in2", "Bob", "tsu: rename the CMS rule");
    const planFile = join(repo.top, "rename.plan.json");
    expect(repo.scconf(["plan", "--out", planFile]).code).toBe(2);
    const r = repo.scconf(["apply", planFile, "--dry-run"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stderr).not.toContain("confirmation");
    expect(r.stdout).toMatch(/fw-nft\s+.*rehearsed/);
    expect(ruleset()).toBe(rulesetBefore);
  });

  it("a real rollback without a terminal still refuses to go on without --yes", () => {
    const r = repo.scconf(["rollback", "fw-nft", "--to", "1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("pass --yes");
    expect(ruleset()).toBe(rulesetBefore);
  });

  it.each([[["--dry-run"]], [["--yes"]]])("rollback --change of a change with no earlier state is a refusal (%s): exit 1, and it says why", (extra) => {
    const r = repo.scconf(["rollback", "--change", firstChange, ...extra]);
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toContain(`change ${firstChange} created the first generation of every device it touched`);
    expect(r.stdout).not.toContain("already run that generation");
    expect(ruleset()).toBe(rulesetBefore);
  });
});
