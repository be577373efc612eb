import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { Resolver } from "node:dns/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dnsRecordSchema } from "../../src/model/schema.js";
import type { DeviceConfig, DnsRecord, Inventory } from "../../src/model/types.js";
import { unboundChecker, unboundHarness } from "../../src/render/check/unbound.js";
import { RenderError } from "../../src/render/platform.js";
import { unbound } from "../../src/render/platforms/unbound.js";
import { expectGolden } from "../helpers/golden.js";
import { checkerRuns, renderWith } from "../helpers/render.js";
import { loadFixture, SAMPLE_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const runs = checkerRuns(unboundChecker, "unbound");
const scratch = runs.scratch;
let daemonRuns = 0;

function render(inv: Inventory, device = "dns-unbound", today = TEST_TODAY): DeviceConfig {
  return renderWith(unbound, inv, device, today);
}

const expectAccepted = (config: DeviceConfig) => runs.expectAccepted(config);

function withRecords(inv: Inventory, records: Array<Record<string, unknown>>, org = "tsu"): Inventory {
  const copy = structuredClone(inv);
  copy.orgs.find((o) => o.id === org)!.dns[0]!.records.push(...records.map((r): DnsRecord => dnsRecordSchema.parse(r)));
  return copy;
}

/** Runs the real unbound on the artifact on a loopback port and hands a resolver to `use`. */
async function withRunningUnbound(config: DeviceConfig, use: (r: Resolver) => Promise<void>): Promise<void> {
  const dir = join(scratch, `daemon-${daemonRuns++}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "scconf.conf");
  writeFileSync(file, config.artifacts[0]!.content);
  const port = 20000 + Math.floor(Math.random() * 30000);
  const extra = ["interface: 127.0.0.1", `port: ${port}`, "num-threads: 1", "do-not-query-localhost: yes", "logfile: \"\""];
  writeFileSync(join(dir, "unbound.conf"), unboundHarness(dir, [file], extra));
  const child = spawn("unbound", ["-d", "-c", join(dir, "unbound.conf")], { stdio: "ignore" });
  try {
    const resolver = new Resolver({ timeout: 300, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
    for (let i = 0; i < 30; i++) {
      try {
        await resolver.resolve4("bousai.city.tsu.example.jp");
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await use(resolver);
  } finally {
    child.kill("SIGTERM");
  }
}

describe("unbound renderer", () => {
  const inv = loadFixture();

  it("renders the fixture as reviewed (golden)", () => {
    const c = render(inv);
    expect(c.artifacts.map((a) => [a.id, a.path])).toEqual([["unbound", "/etc/unbound/unbound.conf.d/scconf.conf"]]);
    expectGolden("unbound/scconf.conf", c.artifacts[0]!.content);
  });

  it("renders the internal view only, and the blocklist's domains as a separate refusing section", () => {
    const copy = withRecords(inv, [{ name: "intra", type: "A", value: "10.2.0.5", view: "internal" }, { name: "ext", type: "A", value: "198.51.100.45" }]);
    const text = render(copy).artifacts[0]!.content;
    expect(text).toContain('local-data: "intra.city.tsu.example.jp. 3600 IN A 10.2.0.5"');
    expect(text).toContain('local-data: "bousai.city.tsu.example.jp. 3600 IN A 198.51.100.40"');
    expect(text).not.toContain("ext.city.tsu.example.jp");
    expect(text).toContain('local-zone: "c2.example.net." always_refuse');
    expect(text).not.toContain("192.0.2.66");
    expect(text.indexOf("always_refuse")).toBeLessThan(text.indexOf("# tsu (津市)"));
  });

  it("leaves out blocklist entries that have expired", () => {
    const copy = structuredClone(inv);
    copy.cloud.blocklist = copy.cloud.blocklist.map((b) => ({ ...b, expires: "2026-11-26" }));
    expect(render(copy).artifacts[0]!.content).not.toContain("c2.example.net");
  });

  it("is accepted by the real unbound-checkconf", async () => {
    await expectAccepted(render(inv));
  });

  it("renders the same bytes twice", () => {
    expect(render(loadFixture()).artifacts).toEqual(render(inv).artifacts);
  });

  describe("refuses what it cannot render", () => {
    it("a wildcard record in the internal view (unbound local-data has none)", () => {
      expect(() => render(withRecords(inv, [{ name: "*", type: "A", value: "10.2.0.9", view: "internal" }]))).toThrow(RenderError);
      expect(() => render(withRecords(inv, [{ name: "*.dev", type: "A", value: "10.2.0.9", view: "both" }]))).toThrow(/no wildcards/);
    });
    it("a blocklist target that is neither an address nor a domain", () => {
      const copy = structuredClone(inv);
      copy.cloud.blocklist.push({ target: 'evil.example" always_transparent', reason: "x", added: "2026-11-01" });
      expect(() => render(copy)).toThrow(/neither an address nor a domain/);
    });
  });

  describe("hostile values", () => {
    const text = `v=x "quoted" 'single' back\\slash ; # not a comment 防災`;

    it("keeps quotes, apostrophes, backslashes and Japanese inside the local-data string, and unbound accepts it", async () => {
      const copy = withRecords(inv, [
        { name: "hostile", type: "TXT", value: text, view: "internal" },
        { name: "long", type: "TXT", value: "k=".padEnd(2048, "A"), view: "internal" },
        { name: "@", type: "CAA", value: '0 issue "letsencrypt.org"', view: "internal" },
      ]);
      const conf = render(copy).artifacts[0]!.content;
      const lines = conf.split("\n").filter((l) => l.includes("hostile"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^ {4}local-data: '[^']*'$/);
      await expectAccepted(render(copy));
    });

    it("serves the TXT text byte for byte from a running unbound", async () => {
      const copy = withRecords(inv, [
        { name: "hostile", type: "TXT", value: text, view: "internal" },
        { name: "long", type: "TXT", value: "k=".padEnd(600, "ア"), view: "internal" },
      ]);
      await withRunningUnbound(render(copy), async (resolver) => {
        const hostile = await resolver.resolveTxt("hostile.city.tsu.example.jp");
        expect(Buffer.from(hostile[0]!.join(""), "latin1").toString("utf8")).toBe(text);
        const long = await resolver.resolveTxt("long.city.tsu.example.jp");
        expect(long[0]!.length).toBeGreaterThan(1);
        expect(Buffer.from(long[0]!.join(""), "latin1").toString("utf8")).toBe("k=".padEnd(600, "ア"));
        await expect(resolver.resolve4("www.c2.example.net")).rejects.toMatchObject({ code: "EREFUSED" });
      });
    });
  });

  it("is accepted by unbound-checkconf for the sample inventory", async () => {
    const sample = loadFixture(SAMPLE_INVENTORY);
    const devices = sample.devices.filter((d) => d.platform === "unbound");
    expect(devices.length).toBeGreaterThan(0);
    for (const d of devices) await expectAccepted(render(sample, d.name));
  });
});
