// scconf block with IPv4 written as IPv6 (issue 17): the width, organization
// and infrastructure guards compare per family, so ::ffff:0.0.0.0/96 passed
// as "narrower than /48" and squid then denied all IPv4. Each is refused,
// naming the IPv4 prefix and the guard that refuses it; nothing is recorded.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, SMALL_INVENTORY } from "../helpers/inventory.js";

let dir: string;
let inventory: string;

function scconf(args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin/scconf"), "-i", inventory, "--today", "2026-11-27", ...args], {
    cwd: dir, encoding: "utf8", timeout: 60_000,
    env: { ...process.env, SCCONF_OPERATOR: "noc-tester", NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "scconf-mapped-"));
  inventory = path.join(dir, "inventory");
  cpSync(SMALL_INVENTORY, inventory, { recursive: true });
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("scconf block with IPv4-embedding IPv6 targets", () => {
  it.each([
    ["::ffff:0.0.0.0/96", "0.0.0.0/0", /0\.0\.0\.0\/0 is wider than \/16/],
    ["::ffff:10.255.0.0/112", "10.255.0.0/16", /would cut off the cloud's management network \(10\.255\.0\.0\/16\)/],
    ["::ffff:198.51.100.2", "198.51.100.2/32", /would cut off the cloud's DNS resolvers \(198\.51\.100\.2\/32\)/],
    ["64:ff9b::10.2.0.0/112", "10.2.0.0/16", /would cut off tsu's network "lan" \(10\.2\.0\.0\/16\) entirely/],
  ])("refuses %s, naming %s and the guard", (target, v4, guard) => {
    const r = scconf(["block", target, "--reason", "test", "--yes"]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`is the IPv4 prefix ${v4} written as`);
    expect(r.out).toMatch(guard);
    expect(existsSync(path.join(inventory, "emergency.yaml"))).toBe(false);
  });

  it("refuses the IPv6 form even with --force, and says which IPv4 prefix to block", () => {
    const r = scconf(["block", "::ffff:192.0.2.99", "--reason", "test", "--yes", "--force"]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain("block 192.0.2.99/32 instead");
    expect(existsSync(path.join(inventory, "emergency.yaml"))).toBe(false);
  });

  it("refuses a reason carrying a C1 control character", () => {
    const r = scconf(["block", "192.0.2.99", "--reason", "C2\u009b2J", "--yes"]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain("U+009B");
    expect(existsSync(path.join(inventory, "emergency.yaml"))).toBe(false);
  });
});
