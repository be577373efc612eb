// "internet" means outside the cloud (issue 17), shown on the real nftables:
// the fixture's fw-nft ruleset, rendered by the CLI, is loaded in a router
// namespace this test creates, with three hosts around it: a host of
// mie-pref's LAN (which also holds mie-pref's web address), tsu's server
// and a host on the internet. mie-pref's rule `lan → internet tcp/443
// accept` lets the LAN reach the internet host and not tsu's server (before
// issue 17, internet was 0.0.0.0/0 and did); its rule `internet → web
// tcp/443 accept` lets the internet host in and not tsu's server. The
// ruleset writes internet as "not in the set cloud_inside_v4" (one set of
// every inside prefix), not as a complement list per organization.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, SMALL_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const tag = `sc${process.pid % 100000}`;
const NS = { router: `${tag}-r`, mie: `${tag}-mie`, tsu: `${tag}-tsu`, inet: `${tag}-inet` };
/** mie-pref's global address "web" of the fixture, held by the mie namespace beside its LAN address */
const MIE_WEB = "198.51.100.32";
const LINKS = [
  // namespace, router side address, host address, prefix length
  { ns: NS.mie, router: "10.1.0.1", host: "10.1.0.10", len: 16 },
  { ns: NS.tsu, router: "10.2.10.1", host: "10.2.10.10", len: 24 },
  { ns: NS.inet, router: "192.0.2.1", host: "192.0.2.10", len: 28 },
];
const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"] });
const inNs = (ns: string, ...args: string[]) => execFileSync("ip", ["netns", "exec", ns, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

let dir: string;
const servers: ChildProcess[] = [];

/** Starts a TCP server on port 443 in the namespace; resolves once it listens. */
function listen(ns: string): Promise<void> {
  const child = spawn("ip", ["netns", "exec", ns, process.execPath, "-e",
    "require('net').createServer((s) => { s.on('error', () => {}); s.end('ok'); }).listen(443, () => console.log('listening'))"], { stdio: ["ignore", "pipe", "inherit"] });
  servers.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server in ${ns} did not start`)), 10_000);
    child.stdout!.on("data", (b: Buffer) => {
      if (b.toString().includes("listening")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** Whether a TCP connection from the namespace to addr:443 completes within 1.5 s. */
function connects(ns: string, addr: string): boolean {
  const r = spawnSync("ip", ["netns", "exec", ns, process.execPath, "-e",
    `const s = require('net').connect(443, '${addr}', () => { console.log('open'); process.exit(0); });
     s.on('error', () => process.exit(1)); setTimeout(() => process.exit(2), 1500);`], { encoding: "utf8", timeout: 10_000 });
  return r.status === 0 && r.stdout.includes("open");
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "scconf-nft-internet-"));
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin/scconf"), "-i", SMALL_INVENTORY, "--today", TEST_TODAY, "render", "-d", "fw-nft", "--out", dir], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`render failed: ${r.stdout}${r.stderr}`);
  for (const ns of Object.values(NS)) ip("netns", "add", ns);
  LINKS.forEach((l, i) => {
    const a = `${tag}a${i}`;
    const b = `${tag}b${i}`;
    ip("link", "add", a, "type", "veth", "peer", "name", b);
    ip("link", "set", a, "netns", NS.router);
    ip("link", "set", b, "netns", l.ns);
    inNs(NS.router, "ip", "addr", "add", `${l.router}/${l.len}`, "dev", a);
    inNs(NS.router, "ip", "link", "set", a, "up");
    inNs(l.ns, "ip", "addr", "add", `${l.host}/${l.len}`, "dev", b);
    inNs(l.ns, "ip", "link", "set", b, "up");
    inNs(l.ns, "ip", "link", "set", "lo", "up");
    inNs(l.ns, "ip", "route", "add", "default", "via", l.router);
  });
  inNs(NS.mie, "ip", "addr", "add", `${MIE_WEB}/32`, "dev", `${tag}b0`);
  inNs(NS.router, "ip", "route", "add", `${MIE_WEB}/32`, "via", "10.1.0.10");
  inNs(NS.router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
  inNs(NS.router, "nft", "-f", path.join(dir, "fw-nft", "ruleset"));
  await listen(NS.tsu);
  await listen(NS.inet);
  await listen(NS.mie);
}, 60_000);

afterAll(() => {
  for (const s of servers) s.kill("SIGKILL");
  for (const ns of Object.values(NS)) spawnSync("ip", ["netns", "del", ns]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("nftables: internet is outside the cloud", () => {
  it("writes internet as not-inside: one set of the inside prefixes, no complement list per organization", () => {
    const text = readFileSync(path.join(dir, "fw-nft", "ruleset"), "utf8");
    expect(text).not.toMatch(/set mie-pref_internet_v[46]/);
    expect(text).toMatch(/ip saddr @mie-pref_lan_v4 ip daddr != @cloud_inside_v4 tcp dport \{ 443, 8000-8080 \} accept/);
    expect(text).toMatch(/ip saddr != @cloud_inside_v4 ip daddr @mie-pref_web_v4 tcp dport \{ 80, 443 \}/);
    // the router's kernel holds tsu's server and the management range in the set, not the internet host
    expect(inNs(NS.router, "nft", "get", "element", "inet", "scconf", "cloud_inside_v4", "{ 10.2.10.10 }")).toContain("10.2.0.0/16");
    expect(inNs(NS.router, "nft", "get", "element", "inet", "scconf", "cloud_inside_v4", "{ 10.255.0.1 }")).toContain("10.255.0.0/16");
    const outside = spawnSync("ip", ["netns", "exec", NS.router, "nft", "get", "element", "inet", "scconf", "cloud_inside_v4", "{ 192.0.2.10 }"], { encoding: "utf8" });
    expect(outside.status).not.toBe(0);
  });

  it("passes mie-pref's LAN to an internet host on tcp/443", () => {
    expect(connects(NS.mie, "192.0.2.10")).toBe(true);
  });

  it("drops mie-pref's LAN to tsu's server on tcp/443, though the rule says lan → internet accept", () => {
    expect(connects(NS.mie, "10.2.10.10")).toBe(false);
  });

  it("drops tsu's server to mie-pref's LAN: tsu has no rule for it", () => {
    expect(connects(NS.tsu, "10.1.0.10")).toBe(false);
  });

  it("passes an internet host to mie-pref's web address on tcp/443 (internet → web accept)", () => {
    expect(connects(NS.inet, MIE_WEB)).toBe(true);
  });

  it("drops tsu's server to mie-pref's web address, though the rule says internet → web accept", () => {
    expect(connects(NS.tsu, MIE_WEB)).toBe(false);
  });

  it("reaches each server from its own namespace (the servers listen; a drop above is the firewall's)", () => {
    expect(connects(NS.tsu, "10.2.10.10")).toBe(true);
    expect(connects(NS.mie, "10.1.0.10")).toBe(true);
    expect(connects(NS.mie, MIE_WEB)).toBe(true);
  });
});
