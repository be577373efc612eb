import { describe, expect, it } from "vitest";
import { firewallRuleSchema, orgSchema, urlFilterSchema } from "../../src/model/schema.js";
import type { Device, Inventory, Org } from "../../src/model/types.js";
import { checkFortiosCli, fortiosChecker, FORTIOS_CHECKER_NAME } from "../../src/render/check/fortios.js";
import { RenderError } from "../../src/render/platform.js";
import { q } from "../../src/render/platforms/fortios.js";
import { renderDevice } from "../../src/render/render.js";
import { expectGolden } from "../helpers/golden.js";
import { loadFixture, SAMPLE_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

function fortiosDevices(inv: Inventory): Device[] {
  return inv.devices.filter((d) => d.platform === "fortios");
}

function render(inv: Inventory, device: Device = fortiosDevices(inv)[0]!) {
  return renderDevice(inv, device, { today: TEST_TODAY });
}

function text(inv: Inventory, id: string): string {
  return render(inv).artifacts.find((a) => a.id === id)!.content;
}

async function expectAccepted(inv: Inventory, device?: Device): Promise<void> {
  const outcomes = await fortiosChecker.check(render(inv, device), "/nonexistent");
  expect(outcomes.length).toBeGreaterThan(0);
  for (const o of outcomes) {
    expect(o.tool).toBe(FORTIOS_CHECKER_NAME);
    expect(o.ok, `${o.artifact}\n${o.output}`).toBe(true);
  }
}

function withOrg(inv: Inventory, id: string, change: (org: Org) => void): Inventory {
  const copy = structuredClone(inv);
  change(copy.orgs.find((o) => o.id === id)!);
  return copy;
}

/** the `set <key>` lines of one `edit` block */
function editBlock(cli: string, edit: string): string {
  const start = cli.indexOf(`    edit ${edit}\n`);
  expect(start, `edit ${edit}`).toBeGreaterThanOrEqual(0);
  return cli.slice(start, cli.indexOf("\n    next\n", start));
}

describe("FortiOS CLI artifacts", () => {
  const fixture = loadFixture();

  it("renders the fixture as reviewed (golden)", () => {
    const config = render(fixture);
    expect(config.artifacts.map((a) => [a.id, a.path, a.format])).toEqual([
      ["firewall", "cli:firewall", "fortios-cli"],
      ["ips", "cli:ips", "fortios-cli"],
      ["webfilter", "cli:webfilter", "fortios-cli"],
    ]);
    for (const a of config.artifacts) expectGolden(`fortios/utm-fg/${a.id}.cli`, a.content);
  });

  it("is accepted by our structural checker", async () => {
    await expectAccepted(fixture);
  });

  it("renders the same bytes twice", () => {
    const a = render(fixture).artifacts.map((x) => x.content);
    const b = render(loadFixture()).artifacts.map((x) => x.content);
    expect(a).toEqual(b);
  });

  it("keeps policy ids stable when a rule or an organization is added", () => {
    const ids = (cli: string) => [...cli.matchAll(/^ {4}edit (\d+)\n {8}set name "([^"]+)"/gm)].map((m) => `${m[2]}=${m[1]}`);
    const before = ids(text(fixture, "firewall"));
    const more = withOrg(fixture, "tsu", (o) => void o.firewall.unshift({ name: "aaa-first", from: ["lan"], to: ["internet"], protocol: "udp", ports: [{ from: 123, to: 123 }], action: "accept", log: false }));
    more.orgs.push({ ...structuredClone(more.orgs.find((o) => o.id === "kiho")!), id: "aaa-town" });
    const after = ids(text(more, "firewall"));
    for (const entry of before) expect(after).toContain(entry);
  });

  it("writes one policy per rule with both families, the action, logging and the comment", () => {
    const cli = text(fixture, "firewall");
    const lanOut = editBlock(cli, cli.match(/edit (\d+)\n {8}set name "scconf-mie-pref.lan-out"/)![1]!);
    expect(lanOut).toContain('set srcaddr "scconf-mie-pref.lan"');
    expect(lanOut).toContain('set srcaddr6 "scconf-mie-pref.lan6"');
    // internet is "not inside the cloud": the inside objects, negated, in both families
    expect(lanOut).toContain('set dstaddr "scconf-cloud.inside"\n        set dstaddr-negate enable');
    expect(lanOut).toContain('set dstaddr6 "scconf-cloud.inside"\n        set dstaddr6-negate enable');
    expect(lanOut).not.toContain("srcaddr-negate");
    expect(lanOut).toContain("set logtraffic disable");
    expect(lanOut).toContain('set webfilter-profile "scconf-mie-pref.web"');
    expect(cli).toContain("set tcp-portrange 443 8000-8080");
    const c2 = editBlock(cli, cli.match(/edit (\d+)\n {8}set name "scconf-tsu.block-c2"/)![1]!);
    expect(c2).toContain("set action deny");
    expect(c2).toContain("set logtraffic all");
    expect(c2).toContain('set comments "tsu block-c2"');
  });

  it("renders a reject rule as deny plus send-deny-packet", () => {
    const inv = withOrg(fixture, "tsu", (o) => void (o.firewall[2]!.action = "reject"));
    expect(text(inv, "firewall")).toContain("set send-deny-packet enable");
  });

  it("caps bandwidth with shared traffic shapers and two shaping policies per organization", () => {
    const cli = text(fixture, "firewall");
    expect(cli).toMatch(/edit "scconf-tsu.egress"\n {8}set bandwidth-unit mbps\n {8}set maximum-bandwidth 300\n/);
    expect(cli).toContain('set traffic-shaper "scconf-tsu.ingress"\n        set traffic-shaper-reverse "scconf-tsu.egress"');
  });

  it("leaves expired rules and exceptions out", () => {
    const inv = withOrg(fixture, "tsu", (o) => {
      o.firewall[0]!.expires = "2026-11-26";
      o.ipsExceptions = [{ name: "old", signature: 77, scope: ["lan"], direction: "both", reason: "r", expires: "2026-11-01" }];
    });
    expect(text(inv, "firewall")).not.toContain("scconf-tsu.web-in");
    expect(text(inv, "ips")).not.toContain("set rule 77");
  });

  it("marks each organization's part with its id and Japanese name, in org id order", () => {
    const marks = [...text(fixture, "firewall").matchAll(/^# ── org (\S+) (\S+) ──$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(marks).toEqual(["kiho 紀宝町", "mie-pref 三重県", "tsu 津市"]);
  });

  it("writes IPS exemptions per signature with exempt-ip by direction", () => {
    const inv = withOrg(fixture, "mie-pref", (o) => void (o.ipsExceptions[0]!.direction = "source"));
    const cli = text(inv, "ips");
    expect(cli).toContain("set rule 2013028");
    expect(cli).toContain("set src-ip 10.0.10.0 255.255.255.0\n                        set dst-ip 0.0.0.0 0.0.0.0");
    expect(cli).not.toContain("set src-ip 0.0.0.0 0.0.0.0");
  });

  describe("the q helper and the structural checker", () => {
    it("quotes with backslash escapes and refuses ? and line breaks", () => {
      expect(q('a "b" \\c')).toBe('"a \\"b\\" \\\\c"');
      expect(() => q("a\nb")).toThrow();
      expect(() => q("why?")).toThrow();
    });

    it.each([
      ["config firewall address\n    edit \"x\"\n        set subnet 10.0.0.0 255.255.0.0\n    next\n", /never closed/],
      ["config firewall address\n    edit \"x\"\n        set subnet 10.0.0.0 255.0.255.0\n    next\nend\n", /netmask/],
      ["config firewall address\n    edit \"x\"\n        set delete security policies\n    next\nend\n", /not a known key/],
      ["config firewall address\n    edit \"x\n    next\nend\n", /unbalanced quote/],
      ["config system admin\nend\n", /not a table/],
      ["config firewall policy\n    edit 1\n        set srcaddr \"nope\"\n    next\nend\n", /not defined/],
      ["config firewall policy\n    edit 1\n        set comments \"a\" \"b\"\n    next\nend\n", /one value/],
      ["config firewall policy\n    edit 1\n        set comments \"why?\"\n    next\nend\n", /help/],
      ["config firewall policy\n    edit 1\n    edit 2\n    next\nend\n", /missing next/],
      ["config firewall policy\n    edit 1\n    next\n    move 1 after 9\nend\n", /not defined/],
      ["end\n", /outside/],
    ])("refuses %j", (cli, message) => {
      expect(checkFortiosCli(cli).map((p) => p.message).join("\n")).toMatch(message);
    });
  });

  describe("hostile values", () => {
    it("validation refuses a comment with a newline, a host with ; and a domain with }", () => {
      const rule = { name: "x", from: ["lan"], to: ["internet"], protocol: "tcp", action: "accept" };
      expect(firewallRuleSchema.safeParse({ ...rule, comment: "ok\nend\nconfig system admin\ndelete security policies" }).success).toBe(false);
      expect(firewallRuleSchema.safeParse({ ...rule, comment: 'x" ; set action accept' }).success).toBe(false);
      expect(firewallRuleSchema.safeParse({ ...rule, name: "a;b" }).success).toBe(false);
      expect(urlFilterSchema.safeParse({ block: { domains: ["evil}.example.com"] } }).success).toBe(false);
      expect(orgSchema.safeParse({ id: "a;b", name: { ja: "x", en: "x" }, kind: "city", contacts: [{ name: "x", email: "a@b.example" }] }).success).toBe(false);
    });

    it("renders ?, #, ;, {} and very long Japanese text inert, and the checker accepts it", async () => {
      const inv = withOrg(fixture, "tsu", (o) => {
        o.name.ja = "津市（試験）";
        o.firewall[0]!.comment = "本当に必要? 県の指示による例外 ".repeat(40);
        o.urlFilter!.block.urls = ["evil.example/a;b}c{d#e", "evil.example/p?q=1&r=$x", "evil.example/*.exe"];
        o.urlFilter!.comment = "教育委員会の依頼?";
      });
      await expectAccepted(inv);
      const fw = text(inv, "firewall");
      const comments = fw.split("\n").find((l) => l.includes('set comments "tsu web-in:'))!;
      expect(Buffer.byteLength(comments)).toBeLessThan(1100);
      expect(comments).not.toContain("?");
      const wf = text(inv, "webfilter");
      expect(wf).toContain('set url "evil.example/a;b}c{d#e*"');
      expect(wf).toContain('set url "^evil\\\\.example\\\\/p\\\\x3fq=1&r=\\\\$x"');
      // the inventory's "*" is FortiOS's wildcard "*" (it was once a literal asterisk in a regex, which never matched)
      expect(wf).toContain('set url "evil.example/*.exe*"');
    });

    it("refuses a URL pattern longer than a FortiOS URL filter entry", () => {
      const inv = withOrg(fixture, "tsu", (o) => void (o.urlFilter!.block.urls = [`long.example/${"x".repeat(500)}`]));
      expect(() => render(inv)).toThrow(/at most 511/);
    });

    it("refuses a blocklist target that is neither a prefix nor a domain", () => {
      const inv = structuredClone(fixture);
      inv.cloud.blocklist.push({ target: 'x" \\ end', reason: "r", added: "2026-11-01" });
      expect(() => render(inv)).toThrow(RenderError);
    });
  });

  describe("what FortiOS cannot render is refused, not dropped", () => {
    it("refuses an IPv6 scope in an IPS exemption (exempt-ip is IPv4 only)", () => {
      const inv = withOrg(fixture, "mie-pref", (o) => void (o.ipsExceptions[0]!.scope = ["lan6"]));
      expect(() => render(inv)).toThrow(/ipv6/);
    });

    it("refuses a category it has no FortiGuard id for, and allow-list categories", () => {
      expect(() => render(withOrg(fixture, "mie-pref", (o) => void (o.urlFilter!.block.categories = ["knitting"])))).toThrow(RenderError);
      expect(() => render(withOrg(fixture, "mie-pref", (o) => void (o.urlFilter!.allow.categories = ["gambling"])))).toThrow(/urlCategories/);
    });

    it("refuses ports on an icmp rule (firewall-common)", () => {
      const inv = withOrg(fixture, "mie-pref", (o) => void (o.firewall[3]!.ports = [{ from: 1, to: 1 }]));
      expect(() => render(inv)).toThrow(RenderError);
    });
  });

  it("the sample inventory renders and our checker accepts it", async () => {
    const r = { inventory: loadFixture(SAMPLE_INVENTORY) };
    const devices = fortiosDevices(r.inventory);
    expect(devices.length).toBeGreaterThan(0);
    for (const d of devices) await expectAccepted(r.inventory, d);
  });
});
