// Tenant isolation at the boundaries a hostile organization would try
// (issue 17): the names it claims, IPv4 written as IPv6, control characters
// in copied text, symlinked files. Each case through `scconf validate --json`
// on a copy of the small fixture, refused at file:line:col naming the owner.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/inventory/diagnostics.js";
import { REPO_ROOT, TEST_TODAY } from "../helpers/inventory.js";
import { cleanupInventories, inventoryWith, KAMEYAMA, kameyamaFile } from "./edit.js";

afterAll(cleanupInventories);

interface Result { status: number | null; diagnostics: Diagnostic[]; raw: string }

function validate(dir: string): Result {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, "bin/scconf"), "-i", dir, "--today", TEST_TODAY, "validate", "--json"], {
    cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000,
  });
  const json = JSON.parse(r.stdout) as { diagnostics: Diagnostic[] };
  return { status: r.status, diagnostics: json.diagnostics, raw: r.stdout + r.stderr };
}

/** Kameyama's file with its own domains line and an IPv6 LAN; line 12 is the domains line. */
const kameyamaWith = (domains: string, ...body: string[]) => kameyamaFile({ domains, lan6: true }, ...body);

function errorsOf(r: Result, code: string): Diagnostic[] {
  return r.diagnostics.filter((d) => d.severity === "error" && d.code === code);
}

describe("domain claims", () => {
  it("refuses a claim inside another organization's domain, naming the owner and where it claims it", () => {
    const r = validate(inventoryWith({ [KAMEYAMA]: kameyamaWith("[city.kameyama.example.jp, portal.city.tsu.example.jp]") }));
    expect(r.status).toBe(1);
    const [d] = errorsOf(r, "domain-claim");
    expect(d, r.raw).toMatchObject({ file: expect.stringMatching(/orgs\/kameyama\.yaml$/), line: 12, column: 37, path: "domains[1]" });
    expect(d!.message).toMatch(/portal\.city\.tsu\.example\.jp lies inside city\.tsu\.example\.jp, which belongs to tsu \(.*orgs\/tsu\.yaml:11:\d+\)/);
  });

  it("refuses a claim above other organizations' domains", () => {
    const r = validate(inventoryWith({ [KAMEYAMA]: kameyamaWith("[example.jp]") }));
    const found = errorsOf(r, "domain-claim").filter((d) => d.file.endsWith("kameyama.yaml"));
    expect(found.map((d) => d.message).join("\n"), r.raw).toMatch(/example\.jp contains city\.tsu\.example\.jp, which belongs to tsu/);
    expect(found.map((d) => d.message).join("\n")).toMatch(/which belongs to kiho/);
    expect(found[0]).toMatchObject({ line: 12, column: 11 });
  });

  it("refuses the cloud's own host names and a breakout service's domain", () => {
    const r = validate(inventoryWith({ [KAMEYAMA]: kameyamaWith("[mx1.mie-sec-cloud.jp, login.microsoftonline.com, microsoftonline.com]") }));
    const msgs = errorsOf(r, "domain-claim").map((d) => `${d.path} ${d.message}`);
    expect(msgs.join("\n"), r.raw).toMatch(/domains\[0\] the domain mx1\.mie-sec-cloud\.jp lies inside the cloud's own domain mie-sec-cloud\.jp \(.*cloud\.yaml:4:\d+\)/);
    expect(msgs.join("\n")).toMatch(/domains\[1\] the domain login\.microsoftonline\.com is login\.microsoftonline\.com, a domain of the breakout service "microsoft365" \(.*cloud\.yaml:\d+:\d+\)/);
    expect(msgs.join("\n")).toMatch(/domains\[2\] the domain microsoftonline\.com contains login\.microsoftonline\.com, a domain of the breakout service "microsoft365"/);
  });

  it("accepts a new domain of the organization's own", () => {
    const r = validate(inventoryWith({ [KAMEYAMA]: kameyamaWith("[city.kameyama.example.jp, kameyama-bousai.example.jp]") }));
    expect(r.diagnostics.filter((d) => d.severity === "error"), r.raw).toEqual([]);
  });
});

describe("IPv4 written as IPv6", () => {
  it.each([
    ["::ffff:10.255.0.0/112", "10.255.0.0/16", "IPv4-mapped"],
    ["64:ff9b::c633:6402/128", "198.51.100.2/32", "NAT64"],
    ["::ffff:0:0/96", "0.0.0.0/0", "IPv4-mapped"],
  ])("refuses %s in a firewall rule, naming the IPv4 prefix %s", (written, v4, form) => {
    const r = validate(inventoryWith({
      [KAMEYAMA]: kameyamaWith("[city.kameyama.example.jp]", "firewall:", `  - { name: peek, from: [lan6], to: ["${written}"], protocol: tcp, ports: [22], action: accept }`),
    }));
    expect(r.status).toBe(1);
    const d = r.diagnostics.find((x) => x.severity === "error" && x.message.includes(`the IPv4 prefix ${v4}`));
    expect(d, r.raw).toMatchObject({ line: 14, path: "firewall[0].to[0]" });
    expect(d!.message).toContain(form);
  });

  it("refuses a mapped prefix in cloud.yaml's blocklist", () => {
    const r = validate(inventoryWith({
      "cloud.yaml": (t) => t.replace("  - { target: 192.0.2.66/32,", "  - { target: \"::ffff:198.51.100.2\", reason: x, added: 2026-11-01 }\n  - { target: 192.0.2.66/32,"),
    }));
    const found = r.diagnostics.filter((d) => d.code === "blocklist-target" && d.severity === "error").map((d) => d.message).join("\n");
    expect(found, r.raw).toMatch(/::ffff:198\.51\.100\.2 is the IPv4 prefix 198\.51\.100\.2\/32 written as IPv4-mapped/);
    // and the guards judge the IPv4 form: it is the cloud's own address plan
    expect(found).toMatch(/blocking 198\.51\.100\.2\/32 would cut off the cloud's own address plan 198\.51\.100\.0\/24/);
  });
});

describe("IPv4 written as IPv6 in emergency.yaml", () => {
  it("refuses a mapped target at its line, naming the IPv4 form", () => {
    const r = validate(inventoryWith({
      "emergency.yaml": "blocks:\n  - target: \"::ffff:0.0.0.0/96\"\n    reason: test\n    by: noc\n    added: 2026-11-27T10:00:00+09:00\n",
    }));
    expect(r.status).toBe(1);
    const d = r.diagnostics.find((x) => x.severity === "error" && x.file.endsWith("emergency.yaml"));
    expect(d, r.raw).toMatchObject({ line: 2, path: "blocks[0].target" });
    expect(d!.message).toContain("is the IPv4 prefix 0.0.0.0/0 written as IPv4-mapped IPv6");
  });
});

describe("control and format characters", () => {
  it.each([
    ["\u009b", "U+009B"], ["\u0085", "U+0085"], ["\u2028", "U+2028"], ["\u2029", "U+2029"], ["\u00ad", "U+00AD"],
    ["\u061c", "U+061C"], ["\u180e", "U+180E"], ["\u3164", "U+3164"], ["\u200d", "U+200D"],
  ])("refuses %j in a comment copied into device configs, at its line (%s)", (ch, code) => {
    const r = validate(inventoryWith({
      [KAMEYAMA]: kameyamaWith("[city.kameyama.example.jp]", "firewall:", `  - { name: web-in, from: [internet], to: [web], protocol: tcp, ports: [443], action: accept, comment: "公開${ch}2J" }`),
    }));
    expect(r.status).toBe(1);
    const d = errorsOf(r, "control-character")[0];
    expect(d, r.raw).toMatchObject({ line: 14, path: "firewall[0].comment" });
    expect(d!.message).toContain(code);
  });

  it("refuses one in a field no value type covers (an organization's name) and in cloud.yaml", () => {
    const r = validate(inventoryWith({
      [KAMEYAMA]: (kameyamaWith("[city.kameyama.example.jp]")).replace("亀山市", "亀山\u009b市"),
      "cloud.yaml": (t) => t.replace("description: the internet", "description: \"the\u2028internet\""),
    }));
    const ds = errorsOf(r, "control-character");
    expect(ds.map((d) => `${d.file.split("/").pop()}:${d.line} ${d.path}`).sort(), r.raw).toEqual(["cloud.yaml:18 objects.internet.description", "kameyama.yaml:2 name.ja"]);
  });
});

describe("symlinks in the inventory", () => {
  it("refuses a symlinked organization file, naming it", () => {
    const outside = mkdtempSync(join(tmpdir(), "scconf-outside-"));
    try {
      writeFileSync(join(outside, "kameyama.yaml"), kameyamaWith("[city.kameyama.example.jp]"));
      const dir = inventoryWith();
      symlinkSync(join(outside, "kameyama.yaml"), join(dir, KAMEYAMA));
      const r = validate(dir);
      expect(r.status).toBe(1);
      const d = errorsOf(r, "symlink")[0];
      expect(d, r.raw).toMatchObject({ line: 1, column: 1 });
      expect(d!.file).toMatch(/orgs\/kameyama\.yaml$/);
      expect(d!.message).toContain("symbolic link");
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe("the cloud's own objects are not services", () => {
  const withNoc = (t: string) => t.replace("  proxies: { addresses: [198.51.100.20/32], role: service }",
    "  proxies: { addresses: [198.51.100.20/32], role: service }\n  noc: { addresses: [10.255.10.0/24] }\n  log-collectors: { addresses: [10.255.20.0/28], role: internal }");

  it.each([
    ["noc", /"noc" is an internal object of the cloud \(.*cloud\.yaml:\d+:\d+\)/],
    ["log-collectors", /"log-collectors" is an internal object of the cloud/],
    ["10.255.0.5", /the destination 10\.255\.0\.5\/32 overlaps the cloud's management range 10\.255\.0\.0\/16/],
  ])("refuses %s as a rule destination, naming it", (to, message) => {
    const r = validate(inventoryWith({
      "cloud.yaml": withNoc,
      [KAMEYAMA]: kameyamaWith("[city.kameyama.example.jp]", "firewall:", `  - { name: peek, from: [lan], to: [${to}], protocol: tcp, ports: [22], action: accept }`),
    }));
    expect(r.status).toBe(1);
    const d = errorsOf(r, "tenant-isolation").find((x) => message.test(x.message));
    expect(d, r.raw).toMatchObject({ line: 14, path: "firewall[0].to[0]" });
    expect(d!.hint).toContain("dns-resolvers, mail-relays, proxies");
  });

  it("accepts the NOC as a source (maintenance access to the organization)", () => {
    const r = validate(inventoryWith({
      "cloud.yaml": withNoc,
      [KAMEYAMA]: kameyamaWith("[city.kameyama.example.jp]", "firewall:", "  - { name: noc-ssh, from: [noc], to: [lan], protocol: tcp, ports: [22], action: accept }"),
    }));
    expect(r.diagnostics.filter((d) => d.severity === "error"), r.raw).toEqual([]);
  });
});
