import { describe, expect, it } from "vitest";
import { ipsExceptionSchema } from "../../src/model/schema.js";
import type { Device, Inventory, Org } from "../../src/model/types.js";
import { parseThresholdConfig, suricataChecker, SURICATA_CHECKER_NAME } from "../../src/render/check/suricata.js";
import { RenderError } from "../../src/render/platform.js";
import { renderDevice } from "../../src/render/render.js";
import { expectGolden } from "../helpers/golden.js";
import { loadFixture, SAMPLE_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

function suricataDevices(inv: Inventory): Device[] {
  return inv.devices.filter((d) => d.platform === "suricata");
}

function render(inv: Inventory, device: Device = suricataDevices(inv)[0]!) {
  return renderDevice(inv, device, { today: TEST_TODAY });
}

async function expectAccepted(inv: Inventory, device?: Device): Promise<string> {
  const config = render(inv, device);
  for (const o of await suricataChecker.check(config, "/nonexistent")) {
    expect(o.tool).toBe(SURICATA_CHECKER_NAME);
    expect(o.ok, o.output).toBe(true);
  }
  return config.artifacts[0]!.content;
}

function withOrg(inv: Inventory, id: string, change: (org: Org) => void): Inventory {
  const copy = structuredClone(inv);
  change(copy.orgs.find((o) => o.id === id)!);
  return copy;
}

const problemsOf = (text: string) => parseThresholdConfig(text).problems.map((p) => p.message);

describe("suricata threshold file", () => {
  const fixture = loadFixture();

  it("renders the fixture as reviewed (golden)", () => {
    const config = render(fixture);
    expect(config.artifacts.map((a) => [a.id, a.path])).toEqual([["threshold", "/etc/suricata/threshold.d/scconf.config"]]);
    expectGolden("suricata/ips-suricata/threshold.config", config.artifacts[0]!.content);
  });

  it("is accepted by our structural checker", async () => {
    await expectAccepted(fixture);
  });

  it("renders the same bytes twice", () => {
    expect(render(fixture).artifacts[0]!.content).toBe(render(loadFixture()).artifacts[0]!.content);
  });

  it("maps source, destination and both to by_src, by_dst and by_either, one line per prefix, IPv6 included", async () => {
    const inv = withOrg(fixture, "mie-pref", (o) => {
      o.ipsExceptions = [
        { name: "a", signature: 2000001, scope: ["lan", "lan6"], direction: "source", reason: "r" },
        { name: "b", signature: 2000002, scope: ["web"], direction: "destination", reason: "r" },
        { name: "c", signature: 2000003, scope: ["192.0.2.0/28"], direction: "both", reason: "r" },
      ];
    });
    const text = await expectAccepted(inv);
    expect(text).toContain("suppress gen_id 1, sig_id 2000001, track by_src, ip 10.1.0.0/16\n");
    expect(text).toContain("suppress gen_id 1, sig_id 2000001, track by_src, ip 2001:db8:1::/48\n");
    expect(text).toContain("suppress gen_id 1, sig_id 2000002, track by_dst, ip 198.51.100.32\n");
    expect(text).toContain("suppress gen_id 1, sig_id 2000003, track by_either, ip 192.0.2.0/28\n");
  });

  it("leaves expired exceptions out (and keeps one that expires today)", () => {
    const inv = withOrg(fixture, "mie-pref", (o) => {
      o.ipsExceptions = [
        { name: "old", signature: 2000001, scope: ["lan"], direction: "both", reason: "r", expires: "2026-11-26" },
        { name: "today", signature: 2000002, scope: ["lan"], direction: "both", reason: "r", expires: TEST_TODAY },
      ];
    });
    const text = render(inv).artifacts[0]!.content;
    expect(text).not.toContain("2000001");
    expect(text).toContain("sig_id 2000002");
  });

  it("marks each organization's part with its id and Japanese name", () => {
    const inv = withOrg(fixture, "tsu", (o) => {
      o.ipsExceptions = [{ name: "x", signature: 1, scope: ["lan"], direction: "both", reason: "r" }];
    });
    const marks = [...render(inv).artifacts[0]!.content.matchAll(/^# ── org (\S+) (\S+) ──$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(marks).toEqual(["mie-pref 三重県", "tsu 津市"]);
  });

  describe("the structural checker", () => {
    it("accepts the documented forms", () => {
      const text = [
        "# comment",
        "",
        "suppress gen_id 1, sig_id 2002087, track by_src, ip 209.132.180.67",
        "suppress gen_id 1, sig_id 2003614, track by_either, ip 217.110.97.128/25",
        "suppress gen_id 1, sig_id 2003614, track by_src, ip [192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]",
        "suppress gen_id 1, sig_id 2003614, track by_src, ip $HOME_NET",
        "suppress gen_id 1, sig_id 2000328, track by_src, ip fe80::/10",
        "suppress gen_id 1, sig_id 2002087",
        "threshold gen_id 1, sig_id 2002087, type both, track by_src, count 3, seconds 5",
        "event_filter gen_id 1, sig_id 2002087, type limit, track by_dst, count 1, seconds 15",
        "rate_filter gen_id 1, sig_id 1000, track by_rule, count 100, seconds 60, \\",
        "  new_action alert, timeout 30",
        "",
      ].join("\n");
      expect(problemsOf(text)).toEqual([]);
      expect(parseThresholdConfig(text).entries).toHaveLength(9);
    });

    it.each([
      ["suppress gen_id 1, sig_id 1, track by_src, ip 10.0.0.1/8\n", /host bits/],
      ["suppress gen_id 1, sig_id 1, track by_both, ip 10.0.0.0/8\n", /bad suppress/],
      ["suppress gen_id 1, sig_id 1, track by_src, ip !10.0.0.0/8\n", /not an address/],
      ["suppress gen_id 1, sig_id 1, track by_src, ip 10.0.0.0/8 # trailing\n", /not an address/],
      ["suppress gen_id 0, sig_id 5\n", /gen_id 0/],
      ["suppress gen_id 1, sig_id 99999999999\n", /out of range/],
      ["threshold gen_id 1, sig_id 1, type limit, track by_src, count 1\n", /bad threshold/],
      ["delete security policies\n", /not an event_filter/],
      ["suppress gen_id 1, sig_id 1", /newline/],
      ["suppress gen_id 1, sig_id 1, track by_src, ip 10.0.0.0/8 \\\n", /./],
    ])("refuses %j", (text, message) => {
      expect(problemsOf(text).join("\n")).toMatch(message);
    });
  });

  describe("hostile values", () => {
    it("validation refuses a reason with a newline, quotes or backslashes, and a name with ;", () => {
      const base = { name: "x", signature: 1, scope: ["lan"], reason: "ok" };
      expect(ipsExceptionSchema.safeParse({ ...base, reason: "ok\nsuppress gen_id 0, sig_id 0" }).success).toBe(false);
      expect(ipsExceptionSchema.safeParse({ ...base, reason: "a \\" }).success).toBe(false);
      expect(ipsExceptionSchema.safeParse({ ...base, reason: 'say "hi"' }).success).toBe(false);
      expect(ipsExceptionSchema.safeParse({ ...base, name: "x;y" }).success).toBe(false);
      expect(ipsExceptionSchema.safeParse({ ...base, scope: ["lan ip 0.0.0.0/0"] }).success).toBe(false);
      expect(ipsExceptionSchema.safeParse({ ...base, signature: 2 ** 32 }).success).toBe(false);
    });

    it("keeps a very long Japanese reason inside its comment line and the checker accepts the file", async () => {
      const reason = "電子申請システムの誤検知 ".repeat(15);
      const inv = withOrg(fixture, "mie-pref", (o) => {
        o.name.ja = "三重県（試験）";
        o.ipsExceptions = [{ name: "long", signature: 4294967295, scope: ["egov-servers"], direction: "both", reason }];
      });
      const text = await expectAccepted(inv);
      expect(text).toContain(`# long: ${reason}\n`);
      expect(parseThresholdConfig(text).entries).toHaveLength(1);
    });
  });

  it("refuses a scope it cannot resolve instead of dropping it", () => {
    const inv = withOrg(fixture, "mie-pref", (o) => {
      o.ipsExceptions = [{ name: "x", signature: 1, scope: ["no-such-network"], direction: "both", reason: "r" }];
    });
    expect(() => render(inv)).toThrow(RenderError);
  });

  it("the sample inventory renders and our checker accepts it", async () => {
    const r = { inventory: loadFixture(SAMPLE_INVENTORY) };
    const devices = suricataDevices(r.inventory);
    expect(devices.length).toBeGreaterThan(0);
    for (const d of devices) await expectAccepted(r.inventory, d);
  });
});
