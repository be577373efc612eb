import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { orgSchema } from "../../src/model/schema.js";
import type { DeviceConfig, Inventory, SpamExclusion } from "../../src/model/types.js";
import { spamassassinChecker } from "../../src/render/check/spamassassin.js";
import { stockConfig } from "../../src/render/check/stock.js";
import { PREFS_LINT_PERL } from "../../src/render/platforms/spamassassin-lint.js";
import { spamassassin } from "../../src/render/platforms/spamassassin.js";
import { RenderError } from "../../src/render/platform.js";
import { renderDevice } from "../../src/render/render.js";
import { expectGolden } from "../helpers/golden.js";
import { loadFixture, SAMPLE_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const scratch = mkdtempSync(join(tmpdir(), "scconf-sa-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const fixture = loadFixture();
const sample = loadFixture(SAMPLE_INVENTORY);
const render = (inv: Inventory) => renderDevice(inv, inv.devices.find((d) => d.platform === "spamassassin")!, { today: TEST_TODAY });
const artifact = (inv: Inventory, id: string) => {
  const a = render(inv).artifacts.find((x) => x.id === id);
  if (!a) throw new Error(`no artifact ${id}`);
  return a;
};
const localCf = (inv: Inventory) => artifact(inv, "local-cf").content;
/** the user_prefs that spamd reads for mail to `domain` */
const prefs = (inv: Inventory, domain: string) => artifact(inv, `user-prefs-${domain}`).content;
const directives = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

function withExclusion(ex: Partial<SpamExclusion> & { sender: string }, org = "tsu"): Inventory {
  const inv = structuredClone(fixture);
  inv.orgs.find((o) => o.id === org)!.spamExclusions.push({ name: "added", bypass: "spam", reason: "追加", ...ex });
  return inv;
}

/** Inert hostile and edge values that must still lint: Japanese, IDN, IPv6, long text, a line break that slipped past validation. */
function hostile(): Inventory {
  const inv = withExclusion({ sender: "2001:db8:5::/48", reason: "長い理由".repeat(40) });
  const tsu = inv.orgs.find((o) => o.id === "tsu")!;
  tsu.spamExclusions.push({ name: "idn", sender: "xn--wgv71a.example.jp", bypass: "both", reason: "紀宝 IDN" });
  tsu.spamExclusions.push({ name: "esc", sender: "a+b=c@partner.example.jp", bypass: "spam", reason: "ok\nwelcomelist_from *@*\ndelete security policies" });
  return inv;
}

const TSU = "city.tsu.example.jp";
const PREF = "pref.mie.example.jp";
const KIHO = ["town.kiho.example.jp", "xn--pbtv09e.example.jp"];

describe("spamassassin renderer", () => {
  it("renders the fixture's files as reviewed (golden files)", () => {
    for (const a of render(fixture).artifacts) expectGolden(`spamassassin/${a.id}`, a.content);
  });

  it("renders one user_prefs per recipient domain of every organization, at its path under scconf-users", () => {
    const paths = Object.fromEntries(render(fixture).artifacts.map((a) => [a.id, a.path]));
    expect(paths).toEqual({
      "local-cf": "/etc/spamassassin/scconf.cf",
      [`user-prefs-${PREF}`]: `/etc/spamassassin/scconf-users/${PREF}/user_prefs`,
      [`user-prefs-${TSU}`]: `/etc/spamassassin/scconf-users/${TSU}/user_prefs`,
      ...Object.fromEntries(KIHO.map((d) => [`user-prefs-${d}`, `/etc/spamassassin/scconf-users/${d}/user_prefs`])),
    });
  });

  it("keeps no welcome list in the shared site file, and says how spamd and spamc must run", () => {
    const cf = localCf(fixture);
    expect(directives(cf)).toEqual([]);
    expect(cf).toContain("spamd -x --virtual-config-dir=/etc/spamassassin/scconf-users/%d");
    expect(cf).toContain("spamc -u <envelope recipient>");
  });

  it("writes an organization's exclusions only into its own domains' files (issue 17)", () => {
    expect(directives(prefs(fixture, TSU))).toEqual(["welcomelist_from_rcvd *@* [192.0.2.0/28]", "welcomelist_from *@vendor.example.com"]);
    expect(directives(prefs(fixture, PREF))).toEqual(["welcomelist_from notice@partner.example.co.jp"]);
    for (const d of KIHO) expect(directives(prefs(fixture, d)), d).toEqual([]);
  });

  it("writes every recipient domain of the excluding organization, its relayed mail domains too", () => {
    const inv = withExclusion({ sender: "relay-only@example.jp" });
    inv.orgs.find((o) => o.id === "tsu")!.mailRelay.push({ domain: "mail.tsu.example.jp", nextHop: "10.2.10.26", port: 25, mx: true } as never);
    for (const d of [TSU, "mail.tsu.example.jp"]) expect(directives(prefs(inv, d)), d).toContain("welcomelist_from relay-only@example.jp");
    expect(directives(prefs(inv, PREF))).not.toContain("welcomelist_from relay-only@example.jp");
  });

  it("keeps the file of an organization without exclusions, header only, so that a removed exclusion leaves the device", () => {
    const inv = structuredClone(fixture);
    inv.orgs.find((o) => o.id === "mie-pref")!.spamExclusions = [];
    const text = prefs(inv, PREF);
    expect(directives(text)).toEqual([]);
    expect(text).toContain("# mie-pref has no active spam exclusion.");
    expect(text).toMatch(/^# Generated by scconf for device mail-sa \(spamassassin\), artifact user-prefs-pref\.mie\.example\.jp\./);
  });

  it("leaves out expired exclusions and does not render malware-only ones", () => {
    const inv = withExclusion({ sender: "old@example.jp", expires: "2026-11-26" });
    inv.orgs.find((o) => o.id === "tsu")!.spamExclusions.push({ name: "av-only", sender: "cad@example.jp", bypass: "malware", reason: "図面" });
    const text = prefs(inv, TSU);
    expect(text).not.toContain("old@example.jp");
    expect(text).not.toMatch(/^welcomelist_from cad@example\.jp$/m);
    expect(text).toContain("# av-only: 図面\n#   bypass malware only: not rendered here\n");
  });

  it("refuses hostile values at validation: line breaks, quotes, braces, ';', globs, over-long text", () => {
    const base = { id: "evil", name: { ja: "悪意", en: "Evil" }, kind: "town", contacts: [{ name: "x", email: "x@evil.example.jp" }] };
    const bad: unknown[] = [
      { name: "a", sender: "x@evil.example.jp", reason: "ok\ndelete security policies" },
      { name: "a", sender: "x;y@evil.example.jp", reason: "r" },
      { name: "a", sender: "ev}il.example.jp", reason: "r" },
      { name: "a", sender: '"x\\"@evil.example.jp', reason: "r" },
      { name: "a", sender: "*@evil.example.jp", reason: "r" },
      { name: "a", sender: "x@evil.example.jp", reason: "理".repeat(201) },
    ];
    for (const ex of bad) expect(orgSchema.safeParse({ ...base, spamExclusions: [ex] }).success, JSON.stringify(ex)).toBe(false);
  });

  it("refuses at validation a domain that %d could not be: '/', '..', a leading dot", () => {
    const base = { id: "evil", name: { ja: "悪意", en: "Evil" }, kind: "town", contacts: [{ name: "x", email: "x@evil.example.jp" }] };
    for (const d of ["../asahi.lg.example.jp", "a/b.example.jp", "evil..example.jp", ".evil.example.jp", "evil_x.example.jp"]) {
      expect(orgSchema.safeParse({ ...base, domains: [d] }).success, d).toBe(false);
    }
  });

  it("refuses a recipient domain that would name another directory than spamd's %d, should one slip past validation", () => {
    for (const d of ["../asahi.lg.example.jp", "x/../../cron.d", "evil..example.jp", "tsu.example.jp.", "..", "x@tsu.example.jp"]) {
      const inv = structuredClone(fixture);
      inv.orgs.find((o) => o.id === "tsu")!.domains.push(d);
      expect(() => render(inv), d).toThrow(RenderError);
    }
  });

  it("refuses exclusions of an organization without any recipient domain rather than making them site-wide", () => {
    const inv = structuredClone(fixture);
    const tsu = inv.orgs.find((o) => o.id === "tsu")!;
    tsu.domains = [];
    tsu.mailRelay = [];
    expect(() => render(inv)).toThrow(/tsu has no domains/);
  });

  it("refuses one recipient domain claimed by two organizations", () => {
    const inv = structuredClone(fixture);
    inv.orgs.find((o) => o.id === "kiho")!.domains.push(TSU);
    expect(() => render(inv)).toThrow(/also a recipient domain of/);
  });

  it("keeps a slipped line break inside its comment", () => {
    const text = prefs(hostile(), TSU);
    expect(text).toContain("# esc: ok welcomelist_from *@* delete security policies\n");
    expect(text.split("\n").filter((l) => l.startsWith("welcomelist_from *@*") || l.startsWith("delete"))).toEqual([]);
    expect(text).toContain("\nwelcomelist_from *@xn--wgv71a.example.jp\n");
    expect(text).toContain("\nwelcomelist_from_rcvd *@* [2001:db8:5::/48]\n");
  });

  it("refuses a sender it would have to write as a glob rather than widening it", () => {
    expect(() => render(withExclusion({ sender: "any*one@example.jp" }))).toThrow(RenderError);
  });

  it("renders the same bytes twice", () => {
    expect(render(fixture)).toEqual(render(structuredClone(fixture)));
  });

  it("carries the device-side lint program in one shell single quote", () => {
    expect(PREFS_LINT_PERL).not.toContain("'");
    expect(spamassassin.defaultCheckCommand).toContain(`perl -e '${PREFS_LINT_PERL}'`);
  });

  // One lint run (about 3-5 s) for the fixture, the 33-org sample and the hostile values together.
  it("the real SpamAssassin lints the site files and every user_prefs of the fixture, the sample inventory and the inert hostile values", async () => {
    const artifacts = [fixture, sample, hostile()].flatMap((inv, i) => render(inv).artifacts.map((a) => ({ ...a, id: `${a.id}.${["fixture", "sample", "hostile"][i]}` })));
    const yokkaichi = artifacts.find((a) => a.id === "user-prefs-yokkaichi.lg.example.jp.sample")!.content;
    expect(yokkaichi).toContain("\nwelcomelist_from_rcvd *@* [203.0.113.160/29]\n");
    const config: DeviceConfig = { device: "mail-sa", platform: "spamassassin", artifacts };
    const [outcome] = await spamassassinChecker.check(config, scratch);
    expect(outcome!.ok, outcome!.output).toBe(true);
    // every user_prefs was read, not only the site config
    const read = outcome!.output.split("\n").filter((l) => /^user_prefs .*: 0 error\(s\)$/.test(l));
    expect(read.length).toBe(artifacts.filter((a) => a.id.startsWith("user-prefs-")).length);
    expect(read.length).toBeGreaterThan(33);
  });

  it.each([
    ["a misspelt directive in a user_prefs", `user-prefs-${TSU}`, "welcomelist_frm oops@example.jp\n"],
    ["a rule definition in a user_prefs (spamd refuses it there)", `user-prefs-${PREF}`, "header SCCONF_EVIL From =~ /x/\n"],
    ["a misspelt directive in the site file", "local-cf", "welcomelist_frm oops@example.jp\n"],
  ])("the real SpamAssassin rejects %s (the check is not a no-op)", async (_what, id, line) => {
    const config = render(fixture);
    config.artifacts.find((a) => a.id === id)!.content += line;
    const [outcome] = await spamassassinChecker.check(config, join(scratch, `broken-${id}`));
    expect(outcome!.ok, outcome!.output).toBe(false);
  });

  // The device's check on its staging directory, with Debian's stock /etc/spamassassin (and a scratch home)
  // bound in a private mount namespace in place of the host's.
  function deviceCheck(name: string, broken?: string): { code: number | null; output: string } {
    const stock = stockConfig("spamassassin", "spamassassin");
    if ("missing" in stock) throw new Error(stock.missing);
    const stage = join(scratch, `stage-${name}`);
    const home = join(scratch, `home-${name}`);
    mkdirSync(stage, { recursive: true });
    mkdirSync(home, { recursive: true });
    for (const a of render(fixture).artifacts) writeFileSync(join(stage, a.id), a.id === broken ? `${a.content}welcomelist_frm oops@example.jp\n` : a.content);
    const command = spamassassin.defaultCheckCommand!.replaceAll("{stage}", `'${stage}'`);
    const script = 'mount --bind "$1" /etc/spamassassin && mount --bind "$2" "$3" && exec sh -c "$4"';
    const asRoot = process.getuid?.() === 0;
    const r = spawnSync("unshare", [asRoot ? "-m" : "-rm", "sh", "-c", script, "sh", stock.dir, home, userInfo().homedir, command], { encoding: "utf8", timeout: 60_000 });
    return { code: r.status, output: `${r.stdout}${r.stderr}` };
  }

  it("the device-side check lints the staged site file and every staged user_prefs", () => {
    const r = deviceCheck("good");
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain(`user_prefs`);
    expect(r.output.match(/^user_prefs .*: 0 error\(s\)$/gm)?.length, r.output).toBe(render(fixture).artifacts.length - 1);
  });

  it("the device-side check rejects a broken staged user_prefs", () => {
    const r = deviceCheck("broken", `user-prefs-${TSU}`);
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toContain("welcomelist_frm oops@example.jp");
  });
});
