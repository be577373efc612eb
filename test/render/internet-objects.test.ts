// "internet" on the firewall platforms other than nftables (issue 17): the
// rendered address objects of a rule `lan → internet` hold no address of any
// organization or of the cloud, and still cover an outside address.
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

describe("internet objects on junos, fortios and ietf-acl", () => {
  it("junos: the address book entries of mie-pref's internet", () => {
    const t = read("fw-srx");
    const ps = [...t.matchAll(/address scconf-mie-pref-internet-\d+ (\S+)$/gm)].map((m) => mustParsePrefix(m[1]!));
    check(ps);
  });

  it("fortios: the address objects of mie-pref's internet", () => {
    const t = read("utm-fg");
    const ps = [...t.matchAll(/edit "scconf-mie-pref\.internet[^"]*"\n\s+set subnet (\S+) (\S+)/g)].map((m) => {
      const bits = m[2]!.split(".").reduce((n, o) => n + (Number(o).toString(2).match(/1/g)?.length ?? 0), 0);
      return mustParsePrefix(`${m[1]}/${bits}`);
    });
    check(ps);
  });

  it("ietf-acl: the destinations of mie-pref's lan-out aces", () => {
    const t = read("acl-nc");
    const ps = [...t.matchAll(/<name>lan-out-[^<]+<\/name>[\s\S]*?<destination-network>([^<]+)</g)].map((m) => mustParsePrefix(m[1]!));
    check(ps);
  });
});
