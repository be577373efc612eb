// scconf block / unblock (R6), end to end through the CLI on a temp project
// whose devices are all `local`: a block reaches every affected device and
// nothing else, a too-wide block is refused, an expired block is removed.
// The steps build on each other, in order.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, SMALL_INVENTORY } from "../helpers/inventory.js";
import { addDays, calendarFree, tokyoToday } from "../workflow/repo.js";

let dir: string;
let inventory: string;

/** Runs the CLI on the real clock (a real apply or block refuses a faked date). */
function scconf(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin/scconf"), "-i", inventory, ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, SCCONF_OPERATOR: "noc-tester", NO_COLOR: "1", FORCE_COLOR: "0" },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const show = (r: { code: number; stdout: string; stderr: string }) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** Every device's files (the artifacts, not the driver's own state), by "<device>:<file>". */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string, device: string, rel: string) => {
    if (rel.startsWith("var/lib/scconf")) return;
    if (statSync(p).isDirectory()) for (const f of readdirSync(p)) walk(path.join(p, f), device, rel ? `${rel}/${f}` : f);
    else out.set(`${device}:${rel}`, readFileSync(p, "utf8"));
  };
  const root = path.join(dir, "state/devices");
  for (const d of readdirSync(root)) walk(path.join(root, d), d, "");
  return out;
}
function changedDevices(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...new Set([...keys].filter((k) => a.get(k) !== b.get(k)).map((k) => k.split(":")[0]!))].sort();
}
const git = (...args: string[]) => execFileSync("git", ["-C", inventory, ...args], { encoding: "utf8" }).trim();
const emergencyFile = () => readFileSync(path.join(inventory, "emergency.yaml"), "utf8");

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "scconf-block-"));
  inventory = path.join(dir, "inventory");
  cpSync(SMALL_INVENTORY, inventory, { recursive: true });
  calendarFree(inventory);
  execFileSync("git", ["init", "-q", inventory]);
  git("add", "-A");
  execFileSync("git", ["-C", inventory, "-c", "user.name=setup", "-c", "user.email=setup@example.jp", "commit", "-qm", "inventory"]);
  // the first rollout has no baseline: an emergency with its reason (approval after the fact)
  const first = scconf(["apply", "--yes", "--emergency", "--reason", "first rollout of scconf"]);
  if (first.code !== 0) throw new Error(`the first apply failed:\n${show(first)}`);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("scconf block", () => {
  it("blocks an address on exactly the devices that drop addresses, records and commits it, and prints the notification", () => {
    const before = snapshot();
    const r = scconf(["block", "192.0.2.77", "--reason", "C2 server", "--ticket", "INC-1", "--expires", "72h", "--yes"]);
    expect(r.code, show(r)).toBe(0);
    // the firewalls, and the proxy (which denies the address as a destination); no DNS, reverse proxy, mail or IPS device
    expect(changedDevices(before, snapshot())).toEqual(["acl-nc", "fw-nft", "fw-srx", "proxy-squid", "utm-fg"]);
    // the comment carries the day the block was added, as recorded by the block itself (the clock's day, not the test's)
    const added = /added: '?(\d{4}-\d\d-\d\d)/.exec(emergencyFile())?.[1];
    expect(added, emergencyFile()).toBeDefined();
    expect(readFileSync(path.join(dir, "state/devices/fw-nft/etc/nftables.d/scconf.nft"), "utf8")).toContain(`192.0.2.77 drop comment "blocklist ${added}: C2 server (INC-1)"`);
    expect(emergencyFile()).toMatch(/target: 192\.0\.2\.77\/32\n\s+reason: C2 server\n\s+ticket: INC-1\n\s+by: noc-tester/);
    expect(git("log", "-1", "--format=%an|%s")).toBe("noc-tester|emergency block 192.0.2.77/32: C2 server [INC-1]");
    expect(git("status", "--porcelain")).toBe("");
    expect(r.stdout).toContain("緊急遮断のお知らせ (INC-1)");
    expect(r.stdout).toContain("Emergency block (INC-1)");
    expect(r.stdout).toMatch(/検知日時: 2\d{3}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+09:00\)/);
    expect(r.stdout).toMatch(/Blocked: 2\d{3}-/);
    expect(r.stdout).toContain("<johokikaku@tsu.example.jp>");
    // the audit line marks it for approval after the fact
    const audit = readFileSync(path.join(dir, "backups/audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = audit[audit.length - 1] as { details?: { action?: string; emergency?: Record<string, unknown> } };
    expect(last.details?.action).toBe("emergency");
    expect(last.details?.emergency).toMatchObject({ target: "192.0.2.77/32", reason: "C2 server", ticket: "INC-1", approvalPending: true });
  }, 120_000);

  it("blocks a domain on the URL filters and the internal DNS only", () => {
    const before = snapshot();
    const r = scconf(["block", "evil.example.net", "--reason", "phishing", "--yes"]);
    expect(r.code, show(r)).toBe(0);
    expect(changedDevices(before, snapshot())).toEqual(["dns-unbound", "proxy-squid", "utm-fg"]);
    expect(readFileSync(path.join(dir, "state/devices/dns-unbound/etc/unbound/unbound.conf.d/scconf.conf"), "utf8")).toMatch(/local-zone: "evil\.example\.net\." always_refuse/);
  }, 120_000);

  it("pushes only the block, not a change that waits for approval", () => {
    // an unapplied (unreviewed) edit of tsu's firewall rules
    const tsu = path.join(inventory, "orgs/tsu.yaml");
    const text = readFileSync(tsu, "utf8");
    writeFileSync(tsu, text.replace("ports: [443], action: accept, log: true", "ports: [443, 8443], action: accept, log: true"));
    expect(readFileSync(tsu, "utf8")).not.toBe(text);
    const before = snapshot();
    const r = scconf(["block", "192.0.2.88", "--reason", "scanner", "--yes"]);
    expect(r.code, show(r)).toBe(0);
    const after = snapshot();
    const nft = after.get("fw-nft:etc/nftables.d/scconf.nft")!;
    const old = before.get("fw-nft:etc/nftables.d/scconf.nft")!;
    // the only difference is the block (and the header's revision)
    const added = nft.split("\n").filter((l) => !old.split("\n").includes(l));
    expect(added.filter((l) => !l.includes("Inventory revision")).every((l) => l.includes("192.0.2.88")), added.join("\n")).toBe(true);
    expect(nft).not.toContain("8443");
    expect(git("status", "--porcelain")).toBe("M orgs/tsu.yaml");
    writeFileSync(tsu, text);
  }, 120_000);

  it("refuses a block that would cut off a whole network, an organization or the cloud itself, and changes nothing", () => {
    const before = snapshot();
    const head = git("rev-parse", "HEAD");
    for (const [target, why] of [
      ["10.0.0.0/8", /wider than \/16/],
      ["10.2.0.0/16", /cut off tsu's network "lan"/],
      ["10.2.3.4", /inside tsu's network "lan".*\n.*--org tsu/],
      ["198.51.100.2", /the cloud's DNS resolvers/],
      ["example.jp", /tsu's domain city\.tsu\.example\.jp/],
    ] as const) {
      const r = scconf(["block", target, "--reason", "test", "--yes"]);
      expect(r.code, show(r)).toBe(1);
      expect(r.stderr).toMatch(why);
      expect(r.stderr).toContain("nothing was recorded or pushed");
    }
    expect(changedDevices(before, snapshot())).toEqual([]);
    expect(git("rev-parse", "HEAD")).toBe(head);
  }, 120_000);

  it("blocks an organization's own infected host when --org names it, and tells only that organization", () => {
    const r = scconf(["block", "10.2.3.4", "--org", "tsu", "--reason", "infected terminal", "--yes"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toContain("津市 ご担当者様");
    expect(r.stdout).not.toContain("soumu@kiho.example.jp");
  }, 120_000);

  it("lists the blocks in force with their expiry", () => {
    const r = scconf(["block", "--list"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/192\.0\.2\.77\/32\s+emergency\s+expires 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+09:00\)/);
    expect(r.stdout).toMatch(/evil\.example\.net\s+emergency\s+expires never/);
    expect(r.stdout).toMatch(/192\.0\.2\.66\/32\s+cloud\.yaml/);
  }, 60_000);

  it("unblocks: removes the entry, commits, and pushes the removal", () => {
    const before = snapshot();
    const r = scconf(["unblock", "evil.example.net", "--reason", "false positive", "--yes"]);
    expect(r.code, show(r)).toBe(0);
    expect(emergencyFile()).not.toContain("evil.example.net");
    expect(git("log", "-1", "--format=%s")).toBe("emergency unblock evil.example.net");
    expect(changedDevices(before, snapshot())).toEqual(["dns-unbound", "proxy-squid", "utm-fg"]);
    expect(r.stdout).toContain("緊急遮断解除のお知らせ");
  }, 120_000);
  it("removes an expired block from the devices on the next apply, with a notice", () => {
    // the calendar passing the block's expiry, without waiting for it: its expiry is moved two days back, by hand
    const past = `${addDays(tokyoToday(), -2)}T09:00:00+09:00`;
    const text = emergencyFile();
    const moved = text.replace(/(target: 192\.0\.2\.77\/32\n(?:\s+\w+: .*\n)*?\s+expires: )'?[^'\n]+'?/, `$1'${past}'`);
    expect(moved, text).not.toBe(text);
    writeFileSync(path.join(inventory, "emergency.yaml"), moved);
    execFileSync("git", ["-C", inventory, "-c", "user.name=noc-tester", "-c", "user.email=noc@example.jp", "commit", "-qam", "the block of 192.0.2.77 expired (test)"]);
    const before = snapshot();
    const r = scconf(["apply", "--yes"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stderr).toMatch(/notice: the block of 192\.0\.2\.77\/32 \(C2 server \(INC-1\)\) expired on \d{4}-\d\d-\d\d/);
    const after = snapshot();
    expect(after.get("fw-nft:etc/nftables.d/scconf.nft")).not.toContain("192.0.2.77");
    expect(before.get("fw-nft:etc/nftables.d/scconf.nft")).toContain("192.0.2.77");
    expect(scconf(["block", "--list"]).stdout).not.toContain("192.0.2.77");
  }, 180_000);

});
