// Issue 18, "drift cries wolf": right after a successful apply, any new commit
// (an approval's, an unrelated organization's) changed the revision named in
// every artifact's header, and `drift` reported every device drifted (exit 2)
// while `plan` said there was nothing to do. Drift now compares as plan does.
import { appendFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo, type TestRepo } from "./repo.js";

describe("drift agrees with plan", () => {
  let repo: TestRepo;
  beforeAll(() => {
    repo = makeRepo({ localDevices: true });
    const first = repo.scconf(["apply", "--yes", "--emergency", "--reason", "first rollout of scconf"]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
  }, 180_000);
  afterAll(() => rmSync(repo.top, { recursive: true, force: true }));

  it("reports no device drifted after the apply, and none after a commit that renders nothing new", () => {
    const right = repo.scconf(["drift"]);
    expect(right.code, right.stdout + right.stderr).toBe(0);
    // a commit that changes no rendered content: only the revision in the headers moves
    repo.edit("orgs/kiho.yaml", /^(name: .*)$/m, "$1\n# a comment only", "Bob");
    const plan = repo.scconf(["plan"]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const drift = repo.scconf(["drift"]);
    expect(drift.code, drift.stdout).toBe(0);
    expect(drift.stdout).toMatch(/0 of 13 device\(s\) drifted/);
  }, 120_000);

  it("still reports a pending change and a hand edit", () => {
    repo.edit("orgs/tsu.yaml", "  block: { domains: [ads.example.com] }", "  block: { domains: [ads.example.com, more-ads.example.com] }", "Bob");
    const drift = repo.scconf(["drift"]);
    expect(drift.code).toBe(2);
    // the URL filter is rendered by the proxy and the UTM
    expect(drift.stdout).toMatch(/proxy-squid\s+differs from the inventory \(apply pending\)/);
    expect(drift.stdout).toMatch(/utm-fg\s+differs from the inventory \(apply pending\): webfilter/);
    expect(drift.stdout).not.toMatch(/fw-nft\s+differs/);
    // and a hand edit on a device
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (f === "var" ? [] : statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    appendFileSync(files(join(repo.top, "state/devices/dns-unbound"))[0]!, "# edited by hand\n");
    const again = repo.scconf(["drift"]);
    expect(again.code).toBe(2);
    expect(again.stdout).toMatch(/dns-unbound\s+CHANGED BY HAND since generation \d+/);
    expect(again.stdout).toMatch(/3 of 13 device\(s\) drifted/);
  });

  it("lists generations in the cloud's time zone with its offset, columns as wide as their content", () => {
    const json = JSON.parse(repo.scconf(["generations", "fw-nft", "--json"]).stdout) as Array<{ date: string }>;
    const at = new Date(json[0]!.date);
    const jst = new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
    const table = repo.scconf(["generations", "fw-nft"]).stdout;
    expect(table).toContain(`${jst} (UTC+09:00)`);
    expect(table.split("\n")[0]).toMatch(/^#\s+date\s+kind\s+change\s+operator\s+commit$/);
  });
});
