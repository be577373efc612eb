import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { orgSchema } from "../../src/model/schema.js";
import type { DeviceConfig, Inventory, SpamExclusion } from "../../src/model/types.js";
import { rspamdChecker } from "../../src/render/check/rspamd.js";
import { RenderError } from "../../src/render/platform.js";
import { q } from "../../src/render/platforms/rspamd.js";
import { renderDevice } from "../../src/render/render.js";
import { expectGolden } from "../helpers/golden.js";
import { loadFixture, SAMPLE_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const scratch = mkdtempSync(join(tmpdir(), "scconf-rspamd-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const fixture = loadFixture();
const sample = loadFixture(SAMPLE_INVENTORY);
const render = (inv: Inventory) => renderDevice(inv, inv.devices.find((d) => d.platform === "rspamd")!, { today: TEST_TODAY });
const settings = (inv: Inventory) => render(inv).artifacts[0]!.content;

function withExclusion(ex: Partial<SpamExclusion> & { sender: string }, org = "tsu"): Inventory {
  const inv = structuredClone(fixture);
  inv.orgs.find((o) => o.id === org)!.spamExclusions.push({ name: "added", bypass: "spam", reason: "追加", ...ex });
  return inv;
}

/** Inert hostile and edge values that must still pass configtest. */
function hostile(): Inventory {
  const inv = withExclusion({ sender: "2001:db8:5::/48", bypass: "malware", reason: "長い理由".repeat(40) });
  const tsu = inv.orgs.find((o) => o.id === "tsu")!;
  tsu.spamExclusions.push({ name: "idn", sender: "xn--wgv71a.example.jp", bypass: "both", reason: "紀宝 IDN" });
  // Past validation on purpose: a quote and a backslash in a sender, a line break in a reason.
  tsu.spamExclusions.push({ name: "esc", sender: 'a"b\\c@partner.example.jp', bypass: "spam", reason: 'ok\n} "x" { apply { flags = ["skip"]; }\ndelete security policies' });
  return inv;
}

describe("rspamd renderer", () => {
  it("renders the fixture's exclusions as reviewed (golden file)", () => {
    expectGolden("rspamd/settings-conf", settings(fixture));
  });

  it("maps bypass to settings: spam runs only the antivirus group, malware disables it, both skips the task", () => {
    const inv = withExclusion({ sender: "cad@example.jp", bypass: "malware" });
    const conf = settings(inv);
    expect(conf).toContain('"scconf-mie-pref-partner" {\n  priority = medium;\n  from = ["notice@partner.example.co.jp"];\n  rcpt = ["@pref.mie.example.jp"];\n  apply {\n    groups_enabled = ["antivirus"];');
    expect(conf).toContain('"scconf-tsu-school-net" {\n  priority = high;\n  ip = ["192.0.2.0/28"];\n  rcpt = ["@city.tsu.example.jp"];\n  apply {\n    flags = ["skip"];');
    expect(conf).toContain('from = ["@vendor.example.com"];');
    expect(conf).toContain('"scconf-tsu-added" {\n  priority = low;\n  from = ["cad@example.jp"];\n  rcpt = ["@city.tsu.example.jp"];\n  apply {\n    groups_disabled = ["antivirus"];');
  });

  it("leaves out expired exclusions", () => {
    expect(settings(withExclusion({ sender: "old@example.jp", expires: "2026-11-26" }))).not.toContain("old@example.jp");
    expect(settings(withExclusion({ sender: "today@example.jp", expires: TEST_TODAY }))).toContain("today@example.jp");
  });

  it("refuses hostile values at validation: line breaks, quotes, braces, ';', '$', over-long text", () => {
    const base = { id: "evil", name: { ja: "悪意", en: "Evil" }, kind: "town", contacts: [{ name: "x", email: "x@evil.example.jp" }] };
    const bad: unknown[] = [
      { name: "a", sender: "x@evil.example.jp", reason: "ok\ndelete security policies" },
      { name: "a", sender: "x;y@evil.example.jp", reason: "r" },
      { name: "a", sender: "ev}il.example.jp", reason: "r" },
      { name: "a", sender: '"x\\"@evil.example.jp', reason: "r" },
      { name: "a", sender: "$x@evil.example.jp", reason: "r" },
      { name: "a", sender: "x@evil.example.jp", reason: "理".repeat(201) },
      { name: "a b", sender: "x@evil.example.jp", reason: "r" },
    ];
    for (const ex of bad) expect(orgSchema.safeParse({ ...base, spamExclusions: [ex] }).success, JSON.stringify(ex)).toBe(false);
  });

  it("quotes UCL strings and keeps a slipped line break inside its comment", () => {
    expect(q('a"b\\c')).toBe('"a\\"b\\\\c"');
    const conf = settings(hostile());
    expect(conf).toContain('from = ["a\\"b\\\\c@partner.example.jp"];');
    expect(conf).toContain('# ok } "x" { apply { flags = ["skip"]; } delete security policies: malware scanning only, no spam checks\n');
    expect(conf.split("\n").filter((l) => l.startsWith("}") && l !== "}")).toEqual([]);
    expect(conf.match(/^\s*flags = \["skip"\];$/gm)?.length).toBe(2);
  });

  it("refuses a sender the settings module would read as a variable, regexp or map", () => {
    expect(() => render(withExclusion({ sender: "$HOME@example.jp" }))).toThrow(RenderError);
    expect(() => render(withExclusion({ sender: "/.*/@example.jp" }))).toThrow(RenderError);
    expect(() => render(withExclusion({ sender: "map:/etc/passwd@example.jp" }))).toThrow(RenderError);
  });

  it("renders the same bytes twice", () => {
    expect(render(fixture)).toEqual(render(structuredClone(fixture)));
  });

  // One configtest run (about 6 s): the 33-org sample and the hostile values (a superset of the fixture) in one settings.conf.
  it("the real rspamadm configtest -s accepts the fixture, the sample inventory and the inert hostile values", async () => {
    const sampleConf = settings(sample);
    expect(sampleConf).toContain('"scconf-yokkaichi-cad-drawings" {\n  priority = low;');
    const [s, h] = [render(sample), render(hostile())];
    const combined = { ...s.artifacts[0]!, content: s.artifacts[0]!.content + h.artifacts[0]!.content };
    const config: DeviceConfig = { device: "mail-rspamd", platform: "rspamd", artifacts: [combined] };
    const [outcome] = await rspamdChecker.check(config, scratch);
    expect(outcome!.ok, outcome!.output).toBe(true);
  });

  it("the real rspamadm configtest -s rejects a broken file (the check is not a no-op)", async () => {
    const config = render(fixture);
    config.artifacts[0]!.content += '"broken" { apply { {\n';
    const [outcome] = await rspamdChecker.check(config, join(scratch, "broken"));
    expect(outcome!.ok).toBe(false);
  });
});
