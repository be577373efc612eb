// The sample inventory two years ahead: every date-sensitive command still
// works as of a day after all of the sample's expiry dates (2027-09-30 is the
// last), with the documented behaviour: expired items are left out and are
// warnings, errors only with --strict. "Today" is the --today given here, and
// each expectation compares with that same value, never with the calendar.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, SAMPLE_INVENTORY } from "../helpers/inventory.js";

const AHEAD = "2028-12-06";
let dir: string;

function scconf(args: string[], today = AHEAD): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin/scconf"), "-i", "inventory", "--today", today, ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, SCCONF_OPERATOR: "noc-tester", NO_COLOR: "1", FORCE_COLOR: "0" },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const show = (r: { code: number; stdout: string; stderr: string }) => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
const noCrash = (r: { stderr: string }) => expect(r.stderr).not.toMatch(/internal error|TypeError|RangeError|at .*\.js:\d+/);

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "scconf-ahead-"));
  cpSync(SAMPLE_INVENTORY, path.join(dir, "inventory"), { recursive: true });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe(`the sample inventory as of ${AHEAD}`, () => {
  it("validates with warnings for every expired item, and --strict makes them errors", () => {
    const r = scconf(["validate"]);
    noCrash(r);
    expect(r.code, show(r)).toBe(0);
    const expired = r.stderr.match(/warning: .* expired on \d{4}-\d\d-\d\d and is no longer rendered/g) ?? [];
    expect(expired.length, show(r)).toBeGreaterThanOrEqual(10);
    // every expiry named is before the day given
    for (const line of expired) expect(/expired on (\d{4}-\d\d-\d\d)/.exec(line)![1]! < AHEAD).toBe(true);
    expect(r.stderr).toContain("suzuka.yaml:81:14: warning: firewall[1].expires");
    const strict = scconf(["validate", "--strict"]);
    noCrash(strict);
    expect(strict.code, show(strict)).toBe(1);
  });

  it("renders without the expired items, which the day of their expiry still has", () => {
    const last = scconf(["render", "-d", "fw-nft-1"], "2027-04-30");
    expect(last.code, show(last)).toBe(0);
    expect(last.stdout).toContain("event-streaming");
    const ahead = scconf(["render", "-d", "fw-nft-1"]);
    noCrash(ahead);
    expect(ahead.code, show(ahead)).toBe(0);
    expect(ahead.stdout).toContain("table inet scconf");
    expect(ahead.stdout).not.toContain("event-streaming");
    const all = scconf(["render", "--out", "out/rendered"]);
    noCrash(all);
    expect(all.code, show(all)).toBe(0);
  });

  it("plans, writes the work procedure, lists the blocks and writes both reports", () => {
    const plan = scconf(["plan", "--out", "out/plan.json"]);
    noCrash(plan);
    expect(plan.code, show(plan)).toBe(2);
    expect(JSON.parse(readFileSync(path.join(dir, "out/plan.json"), "utf8")).today).toBe(AHEAD);
    for (const lang of ["ja", "en"]) {
      const p = scconf(["procedure", "out/plan.json", "--lang", lang]);
      noCrash(p);
      expect(p.code, show(p)).toBe(0);
      expect(p.stdout.length).toBeGreaterThan(500);
    }
    const list = scconf(["block", "--list", "--all"]);
    noCrash(list);
    expect(list.code, show(list)).toBe(0);
    expect(list.stdout).toContain(`as of ${AHEAD}`);
    expect(list.stdout).toContain("203.0.113.250/32");
    const settings = scconf(["report", "settings"]);
    noCrash(settings);
    expect(settings.code, show(settings)).toBe(0);
    expect(settings.stdout).toContain("津市");
    const changes = scconf(["report", "changes", "--month", AHEAD.slice(0, 7)]);
    noCrash(changes);
    expect(changes.code, show(changes)).toBe(0);
  });
});
