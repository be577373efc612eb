import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { orgSchema, urlFilterSchema } from "../../src/model/schema.js";
import { toAsciiDomain } from "../../src/model/values.js";
import type { Device, Inventory, Org } from "../../src/model/types.js";
import { squidChecker } from "../../src/render/check/squid.js";
import { RenderError } from "../../src/render/platform.js";
import { dstdomainValues, urlPatternRegex } from "../../src/render/platforms/squid.js";
import { renderDevice } from "../../src/render/render.js";
import { expectGolden } from "../helpers/golden.js";
import { loadFixture, SAMPLE_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const scratch = mkdtempSync(join(tmpdir(), "scconf-squid-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let runs = 0;

function squidDevices(inv: Inventory): Device[] {
  return inv.devices.filter((d) => d.platform === "squid");
}

function render(inv: Inventory, device: Device = squidDevices(inv)[0]!) {
  return renderDevice(inv, device, { today: TEST_TODAY });
}

async function expectSquidAccepts(inv: Inventory, device?: Device): Promise<string> {
  const config = render(inv, device);
  const outcomes = await squidChecker.check(config, join(scratch, String(runs++)));
  for (const o of outcomes) {
    expect(o.checked, o.output).toBe(true);
    expect(o.ok, `${o.tool}\n${o.output}`).toBe(true);
  }
  return config.artifacts[0]!.content;
}

function withOrg(inv: Inventory, id: string, change: (org: Org) => void): Inventory {
  const copy = structuredClone(inv);
  const org = copy.orgs.find((o) => o.id === id);
  if (!org) throw new Error(`no org ${id}`);
  change(org);
  return copy;
}

describe("squid URL filter include", () => {
  const fixture = loadFixture();

  it("renders the fixture as reviewed (golden)", () => {
    const config = render(fixture);
    expect(config.artifacts.map((a) => [a.id, a.path])).toEqual([["scconf-acl", "/etc/squid/conf.d/scconf.conf"]]);
    expectGolden("squid/proxy-squid/scconf-acl.conf", config.artifacts[0]!.content);
    expect(config.reloadCommand).toBe("squid -k reconfigure");
  });

  it("is accepted by squid -k parse, with no ERROR or WARNING line", async () => {
    await expectSquidAccepts(fixture);
  });

  it("the checker fails on a regex squid cannot compile, although squid exits 0", async () => {
    const config = render(fixture);
    config.artifacts[0]!.content += "acl scconf_broken url_regex ^foo(\n";
    const [o] = await squidChecker.check(config, join(scratch, String(runs++)));
    expect(o!.ok).toBe(false);
    expect(o!.output).toMatch(/ERROR: Skipping regular expression/);
  });

  it("the checker fails on a category file that does not exist", async () => {
    const config = render(fixture);
    config.artifacts[0]!.content += 'acl scconf_missing dstdomain "/nonexistent/scconf/list.txt"\n';
    const [o] = await squidChecker.check(config, join(scratch, String(runs++)));
    expect(o!.ok).toBe(false);
  });

  it("renders the same bytes twice", () => {
    expect(render(fixture).artifacts[0]!.content).toBe(render(loadFixture()).artifacts[0]!.content);
  });

  it("keeps allow lists as exceptions inside deny lines and never writes http_access allow", () => {
    const text = render(fixture).artifacts[0]!.content;
    expect(text).not.toMatch(/^http_access allow/m);
    expect(text).toContain("http_access deny scconf_src_mie-pref scconf_block_mie-pref !scconf_allow_mie-pref\n");
    expect(text).toContain("http_access deny scconf_src_tsu scconf_block_tsu\n");
    // the cloud blocklist comes before any organization's part
    expect(text.indexOf("http_access deny scconf_blocklist")).toBeLessThan(text.indexOf("# ── org "));
  });

  it("marks each organization's part with its id and Japanese name, in org id order", () => {
    const text = render(fixture).artifacts[0]!.content;
    const marks = [...text.matchAll(/^# ── org (\S+) (\S+) ──$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(marks).toEqual(["mie-pref 三重県", "tsu 津市"]);
  });

  it("drops expired blocklist entries", () => {
    const inv = structuredClone(fixture);
    inv.cloud.blocklist = inv.cloud.blocklist.map((b) => ({ ...b, expires: "2026-11-26" }));
    const text = render(inv).artifacts[0]!.content;
    expect(text).not.toContain("c2.example.net");
    expect(text).not.toContain("scconf_blocklist");
  });

  it("removes subdomains of another entry from one dstdomain ACL", () => {
    expect(dstdomainValues(["a.example.com", "example.com", "b.c.example.com", "example.org", "Example.org"])).toEqual([".example.com", ".example.org"]);
  });

  it("reads a URL pattern as a literal prefix of scheme-less URLs", () => {
    const re = new RegExp(urlPatternRegex("example.org/malware/"), "i");
    expect(re.test("http://example.org/malware/x.exe")).toBe(true);
    expect(re.test("http://EXAMPLE.org:8080/malware/")).toBe(true);
    expect(re.test("http://example.org/malwarez")).toBe(false);
    expect(re.test("http://exampleXorg/malware/")).toBe(false);
    expect(re.test("http://evil.example/?u=example.org/malware/")).toBe(false);
    const host = new RegExp(urlPatternRegex("bad.example"), "i");
    expect(host.test("bad.example:443")).toBe(true);
    expect(host.test("http://bad.example.com/")).toBe(false);
  });

  it("a * is any run of characters (within the name in a host); an https:// pattern names the CONNECT tunnel to its host", () => {
    const star = new RegExp(urlPatternRegex("http://downloads.example.net/crack/*"), "i");
    expect(star.test("http://downloads.example.net/crack/anything.html")).toBe(true);
    expect(star.test("http://downloads.example.net:8080/crack/")).toBe(true);
    expect(star.test("http://downloads.example.net/crack")).toBe(false);
    expect(star.test("http://downloads.example.net/other/crack/x")).toBe(false);
    const inner = new RegExp(urlPatternRegex("example.org/*/private/"), "i");
    expect(inner.test("http://example.org/a/b/private/x")).toBe(true);
    expect(inner.test("http://example.org/private/x")).toBe(false);
    const hostStar = new RegExp(urlPatternRegex("http://*.example.org/dl/"), "i");
    expect(hostStar.test("http://cdn.example.org/dl/x")).toBe(true);
    expect(hostStar.test("http://evil.example/x.example.org/dl/")).toBe(false);
    const tunnel = new RegExp(urlPatternRegex("https://paste.example.org/*"), "i");
    expect(tunnel.test("paste.example.org:443")).toBe(true);
    expect(tunnel.test("paste.example.org:8443")).toBe(true);
    expect(tunnel.test("paste.example.org.evil.example:443")).toBe(false);
    expect(tunnel.test("http://paste.example.org/")).toBe(false);
    const port = new RegExp(urlPatternRegex("https://paste.example.org:8443/"), "i");
    expect(port.test("paste.example.org:8443")).toBe(true);
    expect(port.test("paste.example.org:443")).toBe(false);
  });

  describe("hostile values", () => {
    it("validation refuses a comment with a newline, and domains with ; or }", () => {
      expect(urlFilterSchema.safeParse({ comment: "ok\ndelete security policies" }).success).toBe(false);
      expect(urlFilterSchema.safeParse({ block: { domains: ["evil.example;http_access allow all"] } }).success).toBe(false);
      expect(urlFilterSchema.safeParse({ block: { domains: ["evil.example}"] } }).success).toBe(false);
      expect(urlFilterSchema.safeParse({ block: { urls: ['a.example/"x'] } }).success).toBe(false);
      expect(urlFilterSchema.safeParse({ block: { urls: ["a.example/ http_access allow all"] } }).success).toBe(false);
    });

    it("validation refuses an organization whose name carries a line break", () => {
      const r = orgSchema.safeParse({ id: "evil", name: { ja: "悪\ndelete security policies", en: "x" }, kind: "city", contacts: [{ name: "x", email: "a@b.example" }] });
      expect(r.success).toBe(false);
    });

    it("renders URL patterns with squid and regex metacharacters inert, and squid accepts them", async () => {
      const patterns = ["evil.example/a;b}c{d", "evil.example/$(id)${service_name}", "evil.example/#not-a-comment", "evil.example/[x]|(y)*+?^", "http://Evil.example:8080/p?q=1&r=%41"];
      const inv = withOrg(fixture, "tsu", (o) => {
        o.urlFilter!.block.urls = patterns;
        o.urlFilter!.comment = "津市 教育委員会の依頼 ".repeat(9);
        o.name.ja = "津市（テスト）";
      });
      const text = await expectSquidAccepts(inv);
      const urlLines = text.split("\n").filter((l) => l.startsWith("acl scconf_block_url_tsu "));
      expect(urlLines).toHaveLength(1);
      expect(urlLines[0]!.split(" ").slice(4)).toHaveLength(patterns.length);
      expect(text).not.toContain("${service_name}");
      for (const p of patterns) {
        const re = new RegExp(urlPatternRegex(p), "i");
        expect(re.test(p.startsWith("http") ? p : `http://${p}`)).toBe(true);
      }
    });

    it("splits a very long list over several lines of one ACL and squid accepts it", async () => {
      const inv = withOrg(fixture, "tsu", (o) => {
        o.urlFilter!.block.domains = Array.from({ length: 400 }, (_, i) => `host-${i}.${"a".repeat(50)}.example.jp`);
        o.urlFilter!.block.urls = [`long.example/${"x".repeat(490)}`];
      });
      const text = await expectSquidAccepts(inv);
      const lines = text.split("\n").filter((l) => l.startsWith("acl scconf_block_tsu dstdomain "));
      expect(lines.length).toBeGreaterThan(10);
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(1000);
    });

    it("writes IDN domains as punycode and Japanese names only in comments", async () => {
      const inv = withOrg(fixture, "tsu", (o) => {
        o.urlFilter!.block.domains = [toAsciiDomain("例え.テスト")!, toAsciiDomain("紀宝.example.jp")!];
      });
      const text = await expectSquidAccepts(inv);
      for (const line of text.split("\n")) {
        if (!line.startsWith("#")) expect(line, line).toMatch(/^[\x20-\x7e]*$/);
      }
    });

    it("refuses a blocklist target that is neither a prefix nor a domain", () => {
      const inv = structuredClone(fixture);
      inv.cloud.blocklist.push({ target: 'evil" ; http_access allow all \\', reason: "x", added: "2026-11-01" });
      expect(() => render(inv)).toThrow(RenderError);
    });
  });

  describe("what squid cannot render is refused, not dropped", () => {
    it("refuses an allow-list category", () => {
      const inv = withOrg(fixture, "mie-pref", (o) => void (o.urlFilter!.allow.categories = ["education"]));
      expect(() => render(inv)).toThrow(/urlCategories/);
    });

    it("refuses a block for an organization without networks to scope it", () => {
      const inv = withOrg(fixture, "tsu", (o) => void (o.networks = []));
      expect(() => render(inv)).toThrow(RenderError);
    });
  });

  it("the sample inventory renders and squid accepts it", async () => {
    const r = { inventory: loadFixture(SAMPLE_INVENTORY) };
    const devices = squidDevices(r.inventory);
    expect(devices.length).toBeGreaterThan(0);
    for (const d of devices) await expectSquidAccepts(r.inventory, d);
  });
});
