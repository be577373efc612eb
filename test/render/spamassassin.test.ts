import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { orgSchema } from "../../src/model/schema.js";
import type { DeviceConfig, Inventory, SpamExclusion } from "../../src/model/types.js";
import { spamassassinChecker } from "../../src/render/check/spamassassin.js";
import { RenderError } from "../../src/render/platform.js";
import { renderDevice } from "../../src/render/render.js";
import { expectGolden } from "../helpers/golden.js";
import { loadFixture, SAMPLE_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const scratch = mkdtempSync(join(tmpdir(), "scconf-sa-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const fixture = loadFixture();
const sample = loadFixture(SAMPLE_INVENTORY);
const render = (inv: Inventory) => renderDevice(inv, inv.devices.find((d) => d.platform === "spamassassin")!, { today: TEST_TODAY });
const localCf = (inv: Inventory) => render(inv).artifacts[0]!.content;

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

describe("spamassassin renderer", () => {
  it("renders the fixture's exclusions as reviewed (golden file)", () => {
    expectGolden("spamassassin/local-cf", localCf(fixture));
  });

  it("uses welcomelist_from for addresses and domains and welcomelist_from_rcvd [prefix] for sending IPs", () => {
    const cf = localCf(fixture);
    expect(cf).toContain("\nwelcomelist_from notice@partner.example.co.jp\n");
    expect(cf).toContain("\nwelcomelist_from *@vendor.example.com\n");
    expect(cf).toContain("\nwelcomelist_from_rcvd *@* [192.0.2.0/28]\n");
    expect(cf).not.toMatch(/whitelist_|trusted_networks/);
  });

  it("leaves out expired exclusions and does not render malware-only ones", () => {
    const inv = withExclusion({ sender: "old@example.jp", expires: "2026-11-26" });
    inv.orgs.find((o) => o.id === "tsu")!.spamExclusions.push({ name: "av-only", sender: "cad@example.jp", bypass: "malware", reason: "図面" });
    const cf = localCf(inv);
    expect(cf).not.toContain("old@example.jp");
    expect(cf).not.toMatch(/^welcomelist_from cad@example\.jp$/m);
    expect(cf).toContain("# av-only: 図面\n#   bypass malware only: not rendered here\n");
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

  it("keeps a slipped line break inside its comment", () => {
    const cf = localCf(hostile());
    expect(cf).toContain("# esc: ok welcomelist_from *@* delete security policies\n");
    expect(cf.split("\n").filter((l) => l.startsWith("welcomelist_from *@*") || l.startsWith("delete"))).toEqual([]);
    expect(cf).toContain("\nwelcomelist_from *@xn--wgv71a.example.jp\n");
    expect(cf).toContain("\nwelcomelist_from_rcvd *@* [2001:db8:5::/48]\n");
  });

  it("refuses a sender it would have to write as a glob rather than widening it", () => {
    expect(() => render(withExclusion({ sender: "any*one@example.jp" }))).toThrow(RenderError);
  });

  it("renders the same bytes twice", () => {
    expect(render(fixture)).toEqual(render(structuredClone(fixture)));
  });

  // One lint run (about 3-5 s) for the fixture, the 33-org sample and the hostile values together.
  it("the real spamassassin --lint accepts the fixture, the sample inventory and the inert hostile values", async () => {
    const artifacts = [fixture, sample, hostile()].flatMap((inv, i) => render(inv).artifacts.map((a) => ({ ...a, id: `${["fixture", "sample", "hostile"][i]}-${a.id}` })));
    const sampleCf = artifacts[1]!.content;
    expect(sampleCf).toContain("\nwelcomelist_from_rcvd *@* [203.0.113.160/29]\n");
    expect(sampleCf).toContain("# org yokkaichi (");
    const config: DeviceConfig = { device: "mail-sa", platform: "spamassassin", artifacts };
    const [outcome] = await spamassassinChecker.check(config, scratch);
    expect(outcome!.ok, outcome!.output).toBe(true);
  });

  it("the real spamassassin --lint rejects a broken directive (the check is not a no-op)", async () => {
    const config = render(fixture);
    config.artifacts[0]!.content += "welcomelist_frm oops@example.jp\n";
    const [outcome] = await spamassassinChecker.check(config, join(scratch, "broken"));
    expect(outcome!.ok).toBe(false);
  });
});
