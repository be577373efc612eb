// "internet" on the firewall platforms other than nftables (issue 17): a rule
// `lan → internet` matches no address of any organization or of the cloud,
// and still an outside address. Junos and FortiOS write the side as the
// inside set, negated: the set must then cover every inside prefix and no
// outside address. ietf-acl has no negation: its aces list the complement.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mustParsePrefix, prefixContains, prefixOverlaps, type Prefix } from "../../src/model/net.js";
import { REPO_ROOT, SMALL_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "scconf-internet-"));
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin/scconf"), "-i", SMALL_INVENTORY, "--today", TEST_TODAY, "render", "-d", "fw-srx", "utm-fg", "acl-nc", "--out", dir], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`render failed: ${r.stdout}${r.stderr}`);
}, 60_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const read = (device: string) => readdirSync(path.join(dir, device)).map((f) => readFileSync(path.join(dir, device, f), "utf8")).join("\n");
/** inside addresses of the fixture: tsu's lan and server, kiho's lan, the management range, the plans */
const INSIDE = ["10.2.0.0/16", "10.30.0.0/20", "10.1.0.0/16", "10.255.0.0/16", "198.51.100.0/24", "203.0.113.0/25", "2001:db8:1::/48"].map(mustParsePrefix);
const OUTSIDE = mustParsePrefix("192.0.2.10/32");

function check(prefixes: Prefix[]): void {
  expect(prefixes.length).toBeGreaterThan(2);
  for (const p of prefixes) for (const i of INSIDE) expect(prefixOverlaps(p, i), `${p.text} overlaps ${i.text}`).toBe(false);
  expect(prefixes.some((p) => prefixContains(p, OUTSIDE))).toBe(true);
}

/** a negated set: every inside prefix is in it (so excluded), the outside address is not */
function checkNegated(prefixes: Prefix[]): void {
  for (const i of INSIDE) expect(prefixes.some((p) => prefixContains(p, i)), `${i.text} is not in the inside set`).toBe(true);
  expect(prefixes.some((p) => prefixOverlaps(p, OUTSIDE))).toBe(false);
}

describe("internet objects on junos, fortios and ietf-acl", () => {
  it("junos: mie-pref's lan-out matches destination-address scconf-cloud-inside, excluded", () => {
    const t = read("fw-srx");
    const policy = (what: string) => `set groups scconf security policies global policy scconf-mie-pref-lan-out match ${what}\n`;
    expect(t).toContain(policy("destination-address scconf-cloud-inside"));
    expect(t).toContain(policy("destination-address-excluded"));
    expect(t).not.toContain(policy("source-address-excluded"));
    const members = new Set([...t.matchAll(/address-set scconf-cloud-inside address (\S+)$/gm)].map((m) => m[1]!));
    const ps = [...t.matchAll(/address (scconf-cloud-inside-\d+) (\S+)$/gm)].filter((m) => members.has(m[1]!)).map((m) => mustParsePrefix(m[2]!));
    checkNegated(ps);
  });

  it("fortios: mie-pref's lan-out negates the cloud's inside objects", () => {
    const t = read("utm-fg");
    const lanOut = /set name "scconf-mie-pref\.lan-out"[\s\S]*?\n {4}next/.exec(t)?.[0] ?? "";
    expect(lanOut).toContain('set dstaddr "scconf-cloud.inside"\n        set dstaddr-negate enable');
    expect(lanOut).toContain('set dstaddr6 "scconf-cloud.inside"\n        set dstaddr6-negate enable');
    const v4 = [...t.matchAll(/edit "scconf-cloud\.inside[^"]*"\n\s+set subnet (\S+) (\S+)/g)].map((m) => {
      const bits = m[2]!.split(".").reduce((n, o) => n + (Number(o).toString(2).match(/1/g)?.length ?? 0), 0);
      return mustParsePrefix(`${m[1]}/${bits}`);
    });
    const v6 = [...t.matchAll(/edit "scconf-cloud\.inside[^"]*"\n\s+set ip6 (\S+)/g)].map((m) => mustParsePrefix(m[1]!));
    checkNegated([...v4, ...v6]);
  });

  it("ietf-acl: the destinations of mie-pref's lan-out aces", () => {
    const t = read("acl-nc");
    const ps = [...t.matchAll(/<name>lan-out-[^<]+<\/name>[\s\S]*?<destination-network>([^<]+)</g)].map((m) => mustParsePrefix(m[1]!));
    check(ps);
  });
});
