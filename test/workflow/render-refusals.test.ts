// Issue 17: one organization's setting cannot stop the block. What a renderer
// refuses, validation refuses first, at the inventory's line, naming the
// devices (one rule set: render/refusals.ts); and if a device does not render
// all the same, an emergency block still reaches every device that does.
import { describe, expect, it } from "vitest";
import type { Inventory } from "../../src/model/types.js";
import { affectedDevices } from "../../src/workflow/block/push.js";
import { loadFixture, TEST_TODAY } from "../helpers/inventory.js";
import { makeRepo } from "./repo.js";

const URL_LINE = "  block: { domains: [ads.example.com] }";
const ROUTE_LINE = "  - { domain: city.tsu.example.jp, nextHop: 10.2.10.25 }";

describe("validate refuses what a renderer would refuse", () => {
  function validate(file: string, from: string, to: string) {
    const repo = makeRepo();
    repo.edit(file, from, to, "Bob");
    const r = repo.scconf(["validate"]);
    return { code: r.code, out: r.stdout + r.stderr, render: repo.scconf(["render", "--out", `${repo.top}/out`]) };
  }

  it("urlFilter.allow.categories: at its line, naming squid and FortiOS and their devices", () => {
    const r = validate("orgs/tsu.yaml", URL_LINE, `${URL_LINE}\n  allow: { categories: [news] }`);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/orgs\/tsu\.yaml:19:\d+: error: urlFilter\.allow\.categories: squid cannot render urlCategories as an allow list .*\(squid: proxy-squid\) \[render-refusal\]/);
    expect(r.out).toMatch(/orgs\/tsu\.yaml:19:\d+: error: urlFilter\.allow\.categories: fortios cannot render urlCategories .*\(fortios: utm-fg\)/);
    // and nothing is rendered from it
    expect(r.render.code).toBe(1);
  });

  it("mailRelay mx: true with an address next hop names the postfix device", () => {
    const r = validate("orgs/tsu.yaml", ROUTE_LINE, ROUTE_LINE.replace(" }", ", mx: true }"));
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/orgs\/tsu\.yaml:\d+:\d+: error: mailRelay\[0\]\.mx: mx: true asks for an MX lookup of the address 10\.2\.10\.25.*\(postfix: mail-postfix\)/);
  });

  it("a category FortiGuard does not have, at the category", () => {
    const r = validate("orgs/tsu.yaml", URL_LINE, "  block: { domains: [ads.example.com], categories: [no-such-category] }");
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/orgs\/tsu\.yaml:18:\d+: error: urlFilter\.block\.categories\[0\]: "no-such-category" is not a FortiGuard category .*\(fortios: utm-fg\)/);
  });

  it("an https:// URL with a path, which a proxy without TLS interception never sees: at the entry, naming squid and FortiOS", () => {
    const r = validate("orgs/tsu.yaml", URL_LINE, "  block: { domains: [ads.example.com], urls: [\"https://paste.example.org/raw/*\", \"https://files.example.org/\"] }");
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/orgs\/tsu\.yaml:18:\d+: error: urlFilter\.block\.urls\[0\]: squid \(this cloud's proxies do not intercept TLS\): "https:\/\/paste\.example\.org\/raw\/\*": .*sees only the host of an https request \(CONNECT paste\.example\.org:443\).*never match; name the whole host \(https:\/\/paste\.example\.org\/\).*\(squid: proxy-squid\) \[render-refusal\]/);
    expect(r.out).toMatch(/urlFilter\.block\.urls\[0\]: fortios \(certificate inspection, not deep inspection\): .*\(fortios: utm-fg\)/);
    // the whole host is enforceable: the second entry is not refused
    expect(r.out).not.toContain("urls[1]");
    expect(r.render.code).toBe(1);
  });

  it("a cloud.yaml without an SOA while a BIND device carries DNS", () => {
    const r = validate("cloud.yaml", /^  soa: .*\n/m, "");
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/cloud\.yaml:\d+:\d+: error: defaults\.soa: zones need an SOA.*\(bind: dns-bind\) \[render-refusal\]/);
  });

  it("the sample and the fixture have none", () => {
    const repo = makeRepo();
    expect(repo.scconf(["validate", "--strict"]).code).toBe(0);
  });
});

describe("a block reaches every device that renders", () => {
  it("leaves out only the devices that cannot render, names them, and lists the firewalls first", () => {
    // past validation (which refuses this): what a renderer refuses keeps only its own device from the block
    const before = loadFixture();
    const tsu = before.orgs.find((o) => o.id === "tsu")!;
    const broken: Inventory = {
      ...before,
      orgs: before.orgs.map((o) => (o === tsu ? { ...o, urlFilter: { block: tsu.urlFilter!.block, allow: { domains: [], urls: [], categories: ["news"] } } } : o)),
    };
    const block = { target: "192.0.2.77/32", reason: "C2", by: "noc", added: `${TEST_TODAY}T10:00:00+09:00`, detected: `${TEST_TODAY}T09:58:00+09:00` };
    const after: Inventory = { ...broken, emergency: [block] as Inventory["emergency"] };
    const r = affectedDevices(broken, after, TEST_TODAY, ["firewall", "urlFilter"]);
    expect(r.unrenderable.map((u) => u.device).sort()).toEqual(["proxy-squid", "utm-fg"]);
    expect(r.unrenderable.find((u) => u.device === "proxy-squid")?.messages.join("\n")).toContain("tsu urlFilter.allow.categories");
    const pushed = r.pairs.map((p) => p.want.device);
    expect(pushed).toEqual(expect.arrayContaining(["fw-nft", "fw-srx", "acl-nc"]));
    expect(pushed).not.toContain("proxy-squid");
    const firewalls = new Set(after.devices.filter((d) => d.kinds.includes("firewall")).map((d) => d.name));
    const firstOther = pushed.findIndex((d) => !firewalls.has(d));
    expect(firstOther === -1 || pushed.slice(firstOther).every((d) => !firewalls.has(d))).toBe(true);
  });
});
