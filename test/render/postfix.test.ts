import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { orgSchema } from "../../src/model/schema.js";
import type { Inventory, MailRoute } from "../../src/model/types.js";
import { postfixChecker } from "../../src/render/check/postfix.js";
import { RenderError } from "../../src/render/platform.js";
import { renderDevice } from "../../src/render/render.js";
import { expectGolden } from "../helpers/golden.js";
import { loadFixture, SAMPLE_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const scratch = mkdtempSync(join(tmpdir(), "scconf-postfix-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const fixture = loadFixture();
const deviceOf = (inv: Inventory) => inv.devices.find((d) => d.platform === "postfix")!;
const render = (inv: Inventory) => renderDevice(inv, deviceOf(inv), { today: TEST_TODAY });
const content = (inv: Inventory, id: string) => render(inv).artifacts.find((a) => a.id === id)!.content;

let runs = 0;
async function expectAccepted(inv: Inventory): Promise<void> {
  const outcomes = await postfixChecker.check(render(inv), join(scratch, `run-${++runs}`));
  expect(outcomes.length).toBe(4);
  for (const o of outcomes) expect(o.ok, `${o.tool}\n${o.output}`).toBe(true);
}

/** The fixture with one more route for tsu, bypassing validation as a hostile file would not. */
function withRoute(route: Partial<MailRoute> & { domain: string; nextHop: string }): Inventory {
  const inv = structuredClone(fixture);
  inv.orgs.find((o) => o.id === "tsu")!.mailRelay.push({ port: 25, mx: false, ...route });
  return inv;
}

describe("postfix renderer", () => {
  it("renders the fixture's routes as reviewed (golden files)", () => {
    for (const a of render(fixture).artifacts) expectGolden(`postfix/${a.id}`, a.content);
  });

  it("declares where the files live and how the device checks and loads them", () => {
    const config = render(fixture);
    expect(config.artifacts.map((a) => a.path)).toEqual([
      "/etc/postfix/scconf/main.cf.scconf",
      "/etc/postfix/scconf/relay_domains",
      "/etc/postfix/scconf/transport",
    ]);
    expect(config.checkCommand).toContain("postmap lmdb:{stage}/transport");
    expect(config.reloadCommand).toMatch(/postconf -e .*postfix reload/);
  });

  it("writes next hops as transport(5) wants them: [address], [ipv6:address], host:port with MX lookup", () => {
    const inv = withRoute({ domain: "v6.tsu.example.jp", nextHop: "2001:db8::25", port: 2525 });
    inv.orgs.find((o) => o.id === "tsu")!.mailRelay.push({ domain: "mx.tsu.example.jp", nextHop: "relay.tsu.example.jp", port: 25, mx: true });
    const transport = content(inv, "transport");
    expect(transport).toContain("city.tsu.example.jp smtp:[10.2.10.25]:25\n");
    expect(transport).toContain("v6.tsu.example.jp smtp:[ipv6:2001:db8::25]:2525\n");
    expect(transport).toContain("mx.tsu.example.jp smtp:relay.tsu.example.jp:25\n");
    expect(transport).toContain("town.kiho.example.jp smtp:[mail.town.kiho.example.jp]:587\n");
  });

  it("the real postfix accepts every artifact of the fixture", async () => {
    await expectAccepted(fixture);
  });

  it("the real postfix accepts every artifact of the 33-organization sample inventory", async () => {
    const sample = loadFixture(SAMPLE_INVENTORY);
    const relay = content(sample, "relay-domains");
    for (const org of sample.orgs) for (const r of org.mailRelay) expect(relay).toContain(`\n${r.domain} OK\n`);
    await expectAccepted(sample);
  });

  it("refuses hostile values at validation: line breaks, ';' in a host, '}' in a domain, quotes, over-long text", () => {
    const base = { id: "evil", name: { ja: "悪意", en: "Evil" }, kind: "town", contacts: [{ name: "x", email: "x@evil.example.jp" }] };
    const bad: unknown[] = [
      { domain: "evil.example.jp", nextHop: "10.0.0.1", comment: "ok\ndelete security policies" },
      { domain: "evil.example.jp", nextHop: "mail;reboot.example.jp" },
      { domain: "ev}il.example.jp", nextHop: "10.0.0.1" },
      { domain: "evil.example.jp", nextHop: "10.0.0.1", comment: 'say "hi" \\ bye' },
      { domain: "evil.example.jp", nextHop: "10.0.0.1", comment: "長".repeat(201) },
      { domain: "evil.example.jp", nextHop: "10.0.0.1", port: 0 },
    ];
    for (const route of bad) expect(orgSchema.safeParse({ ...base, mailRelay: [route] }).success, JSON.stringify(route)).toBe(false);
  });

  it("renders Japanese, IDN and very long values inert, and the real postfix still accepts them", async () => {
    const longLabel = "a".repeat(63);
    const longDomain = `${longLabel}.${longLabel}.${longLabel}.example.jp`;
    const inv = withRoute({ domain: longDomain, nextHop: "10.2.10.26", comment: "庁内メール 長い説明".repeat(10) });
    // A comment that slipped past validation must stay one comment line.
    inv.orgs.find((o) => o.id === "kiho")!.mailRelay[0]!.comment = "担当課\ndelete security policies\r\nx OK";
    const transport = content(inv, "transport");
    expect(transport).toContain(`${longDomain} smtp:[10.2.10.26]:25\n`);
    expect(transport).toContain("# 担当課 delete security policies x OK\n");
    expect(transport.split("\n").filter((l) => /^delete|^x OK/.test(l))).toEqual([]);
    expect(content(inv, "relay-domains")).toContain("# org kiho (紀宝町)\n");
    await expectAccepted(inv);
  });

  it("refuses an MX lookup of an address rather than dropping mx: true", () => {
    expect(() => render(withRoute({ domain: "mx.tsu.example.jp", nextHop: "10.2.10.25", mx: true }))).toThrow(RenderError);
  });

  it("refuses a domain routed twice rather than letting postmap keep one silently", () => {
    expect(() => render(withRoute({ domain: "pref.mie.example.jp", nextHop: "10.2.10.25" }))).toThrow(/already routed by mie-pref mailRelay\[0\]/);
  });

  it("renders the same bytes twice", () => {
    expect(render(fixture)).toEqual(render(structuredClone(fixture)));
  });
});
