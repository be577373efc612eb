import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dnsRecordSchema, dnsZoneSchema } from "../../src/model/schema.js";
import type { DeviceConfig, DnsRecord, Inventory } from "../../src/model/types.js";
import { bindChecker, NAMED_CHECKZONE_STRICT } from "../../src/render/check/bind.js";
import { runTool } from "../../src/render/check/run.js";
import { RenderError } from "../../src/render/platform.js";
import { bind } from "../../src/render/platforms/bind.js";
import { nextSerial, parseSerial, serialFor, txtRdata, validateRecordValue, withSerial } from "../../src/model/dns.js";
import { expectGolden } from "../helpers/golden.js";
import { checkerRuns, renderWith } from "../helpers/render.js";
import { loadFixture, SAMPLE_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const runs = checkerRuns(bindChecker, "bind");
const scratch = runs.scratch;
let dumps = 0;

function render(inv: Inventory, device = "dns-bind", today = TEST_TODAY): DeviceConfig {
  return renderWith(bind, inv, device, today);
}

const expectAccepted = (config: DeviceConfig) => runs.expectAccepted(config, { perArtifact: true });

function record(input: Record<string, unknown>): DnsRecord {
  return dnsRecordSchema.parse(input);
}

function withRecords(inv: Inventory, records: DnsRecord[], org = "tsu"): Inventory {
  const copy = structuredClone(inv);
  copy.orgs.find((o) => o.id === org)!.dns[0]!.records.push(...records);
  return copy;
}

/** The zone as BIND itself loaded it, in its canonical dump. */
async function loadedZone(zone: string, text: string): Promise<string> {
  const file = join(scratch, `dump-${dumps++}`);
  writeFileSync(file, text);
  const r = await runTool("named-checkzone", [...NAMED_CHECKZONE_STRICT, "-D", "-o", "-", zone, file]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe("bind renderer", () => {
  const inv = loadFixture();

  it("renders the fixture as reviewed (golden): a zone file per zone and the zone statements", () => {
    const c = render(inv);
    expect(c.artifacts.map((a) => [a.id, a.path])).toEqual([
      ["zone-town.kiho.example.jp", "/etc/bind/scconf/db.town.kiho.example.jp"],
      ["zone-pref.mie.example.jp", "/etc/bind/scconf/db.pref.mie.example.jp"],
      ["zone-city.tsu.example.jp", "/etc/bind/scconf/db.city.tsu.example.jp"],
      ["named-conf", "/etc/bind/scconf/named.conf.scconf"],
    ]);
    for (const a of c.artifacts) expectGolden(`bind/${a.id}`, a.content);
  });

  it("renders the external view only: internal records stay out, both-view records are in", () => {
    const copy = withRecords(inv, [record({ name: "intra", type: "A", value: "10.2.0.5", view: "internal" })]);
    const zone = render(copy).artifacts.find((a) => a.id === "zone-city.tsu.example.jp")!.content;
    expect(zone).not.toContain("intra");
    expect(zone).toMatch(/^bousai +IN A +198\.51\.100\.40$/m);
  });

  it("is accepted by named-checkzone (strict) and named-checkconf -z", async () => {
    await expectAccepted(render(inv));
  });

  it("uses the device's path overrides in the zone statements", () => {
    const copy = structuredClone(inv);
    copy.devices.find((d) => d.name === "dns-bind")!.paths["zone-city.tsu.example.jp"] = "/var/lib/bind/tsu.zone";
    const c = render(copy);
    expect(c.artifacts.find((a) => a.id === "zone-city.tsu.example.jp")!.path).toBe("/var/lib/bind/tsu.zone");
    expect(c.artifacts.find((a) => a.id === "named-conf")!.content).toContain('file "/var/lib/bind/tsu.zone";');
  });

  it("renders the same bytes twice, and the serial follows the render date", () => {
    expect(render(loadFixture()).artifacts).toEqual(render(inv).artifacts);
    const zone = render(inv, "dns-bind", "2026-12-01").artifacts[0]!.content;
    expect(parseSerial(zone)).toBe(2026120100);
  });

  describe("refuses what it cannot render", () => {
    it("a zone without an SOA in cloud.yaml", () => {
      const copy = structuredClone(inv);
      delete copy.cloud.defaults.soa;
      expect(() => render(copy)).toThrow(RenderError);
    });
    it("a CNAME at the apex or beside other data, and two TTLs in one RRset", () => {
      expect(() => render(withRecords(inv, [record({ name: "@", type: "CNAME", value: "x.example.jp." })]))).toThrow(/apex/);
      expect(() => render(withRecords(inv, [record({ name: "www", type: "A", value: "198.51.100.41" })]))).toThrow(/CNAME and other records/);
      expect(() => render(withRecords(inv, [record({ name: "@", type: "A", value: "198.51.100.41", ttl: 60 })]))).toThrow(/different TTLs/);
    });
    it("a value that is not of its type", () => {
      for (const [type, value] of [["A", "2001:db8::1"], ["AAAA", "198.51.100.1"], ["MX", "mx1.example.jp."], ["SRV", "10 5 sip.example.jp."], ["CAA", "issue letsencrypt.org"], ["CNAME", "a b"]] as const) {
        expect(() => render(withRecords(inv, [record({ name: "bad", type, value })])), `${type} ${value}`).toThrow(RenderError);
      }
    });
    it("one zone defined by two organizations", () => {
      const copy = structuredClone(inv);
      copy.orgs.find((o) => o.id === "kiho")!.dns.push(structuredClone(copy.orgs.find((o) => o.id === "tsu")!.dns[0]!));
      expect(() => render(copy)).toThrow(/also defined by kiho/);
    });
  });

  describe("hostile values", () => {
    it("refuses a zone with } or ;, a record name with spaces or Japanese, and a control character in a value", () => {
      for (const zone of ["tsu.example.jp}", "tsu.example.jp;", 'tsu.example.jp" { type master; }']) {
        expect(dnsZoneSchema.safeParse({ zone }).success, zone).toBe(false);
      }
      for (const name of ["www; rm", "a b", "防災", "www.", "@ IN A 1.2.3.4"]) {
        expect(dnsRecordSchema.safeParse({ name, type: "A", value: "198.51.100.1" }).success, name).toBe(false);
      }
      expect(dnsRecordSchema.safeParse({ name: "t", type: "TXT", value: "a\nwww IN A 6.6.6.6" }).success).toBe(false);
      expect(dnsRecordSchema.safeParse({ name: "t", type: "TXT", value: "x".repeat(2049) }).success).toBe(false);
    });

    it("keeps quotes, backslashes, semicolons and Japanese inside one TXT record, as BIND reads it back", async () => {
      const text = 'v=x "quoted" back\\slash ; not a comment ) ( $ORIGIN evil. 防災';
      const copy = withRecords(inv, [record({ name: "hostile", type: "TXT", value: text })]);
      const zone = render(copy).artifacts.find((a) => a.id === "zone-city.tsu.example.jp")!.content;
      const dump = await loadedZone("city.tsu.example.jp", zone);
      const line = dump.split("\n").filter((l) => l.startsWith("hostile."));
      expect(line).toHaveLength(1);
      expect(line[0]).toContain(txtRdata(text));
      expect(dump).not.toMatch(/^evil\./m);
      await expectAccepted(render(copy));
    });

    it("splits a 2048-byte TXT value into strings of at most 255 bytes that BIND accepts", async () => {
      const copy = withRecords(inv, [record({ name: "long", type: "TXT", value: "k=".padEnd(2048, "A") })]);
      const zone = render(copy).artifacts.find((a) => a.id === "zone-city.tsu.example.jp")!.content;
      const strings = /^long .*$/m.exec(zone)![0].match(/"[^"]*"/g)!;
      expect(strings).toHaveLength(9);
      expect(strings.every((s) => s.length - 2 <= 255)).toBe(true);
      await expectAccepted(render(copy));
    });

    it("renders a Japanese zone name as punycode and BIND accepts it", async () => {
      const copy = structuredClone(inv);
      const zone = dnsZoneSchema.parse({ zone: "紀宝.example.jp", records: [{ name: "www", type: "A", value: "198.51.100.60" }] });
      expect(zone.zone).toMatch(/^xn--/);
      copy.orgs.find((o) => o.id === "kiho")!.dns.push(zone);
      const c = render(copy);
      expect(c.artifacts.some((a) => a.id === `zone-${zone.zone}`)).toBe(true);
      await expectAccepted(c);
    });
  });

  it("is accepted by the BIND checkers for the sample inventory", async () => {
    const sample = loadFixture(SAMPLE_INVENTORY);
    const devices = sample.devices.filter((d) => d.platform === "bind");
    expect(devices.length).toBeGreaterThan(0);
    for (const d of devices) await expectAccepted(render(sample, d.name));
  });
});

describe("dns-common", () => {
  it("turns each record type into presentation format with absolute names", () => {
    const z = "city.tsu.example.jp";
    expect(validateRecordValue("A", "198.51.100.1", z)).toEqual({ ok: true, rdata: "198.51.100.1", warnings: [] });
    expect(validateRecordValue("AAAA", "2001:DB8:0:0::1", z)).toMatchObject({ ok: true, rdata: "2001:db8::1" });
    expect(validateRecordValue("CNAME", "www", z)).toMatchObject({ ok: true, rdata: "www.city.tsu.example.jp." });
    expect(validateRecordValue("MX", "10 mx1.example.jp.", z)).toMatchObject({ ok: true, rdata: "10 mx1.example.jp." });
    expect(validateRecordValue("MX", "0 .", z)).toMatchObject({ ok: true, rdata: "0 ." });
    expect(validateRecordValue("SRV", "10 5 5060 sip", z)).toMatchObject({ ok: true, rdata: "10 5 5060 sip.city.tsu.example.jp." });
    expect(validateRecordValue("CAA", '0 issue "letsencrypt.org"', z)).toMatchObject({ ok: true, rdata: '0 issue "letsencrypt.org"' });
    expect(validateRecordValue("TXT", 'a"b\\c', z)).toMatchObject({ ok: true, rdata: '"a\\"b\\\\c"' });
    expect(validateRecordValue("TXT", "it's", z, { escapeApostrophe: true })).toMatchObject({ ok: true, rdata: '"it\\039s"' });
  });

  it("warns when a target without a trailing dot is read relative to the zone", () => {
    const r = validateRecordValue("MX", "10 mx1.example.jp", "city.tsu.example.jp");
    expect(r).toMatchObject({ ok: true, rdata: "10 mx1.example.jp.city.tsu.example.jp." });
    expect(r.ok && r.warnings[0]).toMatch(/no trailing dot/);
  });

  it("refuses values outside their type's range", () => {
    for (const [type, value] of [["A", "256.1.1.1"], ["MX", "70000 a."], ["SRV", "1 2 70000 a."], ["CAA", "300 issue x"], ["NS", "-bad-."], ["CAA", '0 issue "日本"']] as const) {
      expect(validateRecordValue(type, value, "example.jp").ok, `${type} ${value}`).toBe(false);
    }
  });

  it("reads and replaces the SOA serial without touching anything else", () => {
    const zone = render(loadFixture()).artifacts[0]!.content;
    expect(parseSerial(zone)).toBe(serialFor(TEST_TODAY));
    const bumped = withSerial(zone, 2026112701);
    expect(parseSerial(bumped)).toBe(2026112701);
    expect(bumped.replace("2026112701", "2026112700")).toBe(zone);
    expect(parseSerial("@ IN SOA a. b. 42 1 2 3 4\n")).toBe(42);
    expect(parseSerial("; no SOA here\n")).toBeUndefined();
  });

  it("chooses a serial that always increases: today's first, or one more than the device's", () => {
    expect(nextSerial(undefined, "2026-11-27")).toBe(2026112700);
    expect(nextSerial(2026010105, "2026-11-27")).toBe(2026112700);
    expect(nextSerial(2026112700, "2026-11-27")).toBe(2026112701);
    expect(nextSerial(2026112899, "2026-11-27")).toBe(2026112900);
  });
});
