import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assemblePlan, planDevice } from "../../src/plan/build.js";
import { readPlan, savePlan } from "../../src/plan/file.js";
import { diffIntent, intentOf, summarizeIntent } from "../../src/plan/intent.js";
import { formatPlan } from "../../src/plan/print.js";
import { renderDevice } from "../../src/render/render.js";
import { loadFixture, TEST_TODAY } from "../helpers/inventory.js";

const inventory = loadFixture();
const nginx = inventory.devices.find((d) => d.name === "rp-nginx")!;
const config = renderDevice(inventory, nginx, { today: TEST_TODAY });

describe("plan", () => {
  it("marks an artifact absent on the device as create, with a diff from nothing", () => {
    const p = planDevice(inventory, config, { source: "device", artifacts: config.artifacts.map((a) => ({ id: a.id, path: a.path, content: null })) });
    expect(p.changed).toBe(true);
    expect(p.artifacts.every((a) => a.action === "create" && a.currentHash === null)).toBe(true);
    expect(p.artifacts[0]!.diff).toContain("(absent)");
  });

  it("shows no change when the device runs exactly the rendered artifacts", () => {
    const p = planDevice(inventory, config, { source: "device", artifacts: config.artifacts.map((a) => ({ id: a.id, path: a.path, content: a.content })) });
    expect(p.changed).toBe(false);
    expect(p.artifacts.every((a) => a.action === "unchanged" && a.diff === "")).toBe(true);
  });

  it("gives the same plan id for the same change, whoever makes it and when", () => {
    const current = { source: "device" as const, artifacts: config.artifacts.map((a) => ({ id: a.id, path: a.path, content: "old\n" })) };
    const a = assemblePlan({ inventory, devices: [planDevice(inventory, config, current)], intentChanges: [], operator: "a", today: TEST_TODAY, offline: false, now: new Date(0) });
    const b = assemblePlan({ inventory, devices: [planDevice(inventory, config, current)], intentChanges: [], operator: "b", today: TEST_TODAY, offline: false });
    expect(a.id).toBe(b.id);
    const other = assemblePlan({ inventory, devices: [planDevice(inventory, config, { ...current, artifacts: current.artifacts.map((x) => ({ ...x, content: "older\n" })) })], intentChanges: [], operator: "a", today: TEST_TODAY, offline: false });
    expect(other.id).not.toBe(a.id);
  });

  it("refuses a saved plan whose content was edited after it was made", () => {
    const dir = mkdtempSync(join(tmpdir(), "scconf-plan-"));
    const file = join(dir, "plan.json");
    const plan = assemblePlan({
      inventory,
      devices: [planDevice(inventory, config, { source: "device", artifacts: [] })],
      intentChanges: [],
      operator: "t",
      today: TEST_TODAY,
      offline: false,
    });
    savePlan(file, plan);
    expect(readPlan(file).id).toBe(plan.id);
    const text = readFileSync(file, "utf8").replace("proxy_pass", "proxy_pass_evil");
    writeFileSync(file, text);
    expect(() => readPlan(file)).toThrow(/modified after it was made/);
  });

  it("bounds the diff: a wholesale rewrite of a huge artifact is summarised, not diffed line by line", () => {
    const big = (tag: string) => Array.from({ length: 30_000 }, (_, i) => `rule ${i} ${tag}`).join("\n") + "\n";
    const huge = { ...config, artifacts: [{ ...config.artifacts[0]!, content: big("new") }] };
    const p = planDevice(inventory, huge, { source: "device", artifacts: [{ id: huge.artifacts[0]!.id, path: huge.artifacts[0]!.path, content: big("old") }] });
    expect(p.artifacts[0]).toMatchObject({ action: "update", added: 30_000, removed: 30_000 });
    expect(p.artifacts[0]!.diff).toContain("the artifact is rewritten");
  });

  it("never writes a secret the device holds into the plan's diff, yet shows that the line changed", () => {
    const current = "# hand edit\nset system root-authentication encrypted-password \"$6$abc$Zm9vYmFyYmF6cXV4cXV1eA\"\n";
    const p = planDevice(inventory, config, { source: "device", artifacts: [{ id: config.artifacts[0]!.id, path: config.artifacts[0]!.path, content: current }] });
    expect(p.artifacts[0]!.diff).not.toContain("$6$abc$Zm9vYmFyYmF6cXV4cXV1eA");
    expect(p.artifacts[0]!.diff).toMatch(/^-.*encrypted-password .*redacted/m);
  });

  it("prints the diff and a per-device summary", () => {
    const plan = assemblePlan({
      inventory,
      devices: [planDevice(inventory, config, { source: "device", artifacts: [] })],
      intentChanges: [],
      operator: "t",
      today: TEST_TODAY,
      offline: false,
    });
    const text = formatPlan(plan);
    expect(text).toContain(`# rp-nginx sites (${config.artifacts[0]!.path}): create`);
    expect(text).toMatch(/rp-nginx\s+nginx\s+1 artifact\(s\) to change/);
    expect(text).toContain("1 of 1 device(s) would change.");
  });
});

describe("intent", () => {
  it("lists added, changed and removed items per organization and kind", () => {
    const before = intentOf(inventory);
    const tsu = inventory.orgs.find((o) => o.id === "tsu")!;
    const edited = {
      ...inventory,
      orgs: inventory.orgs.map((o) =>
        o.id !== "tsu" ? o : {
          ...tsu,
          firewall: [
            { ...tsu.firewall[0]!, ports: [{ from: 8443, to: 8443 }] },
            ...tsu.firewall.slice(2),
            { name: "allow-https-cms", from: ["internet"], to: ["web"], protocol: "tcp" as const, ports: [{ from: 443, to: 443 }], action: "accept" as const, log: false },
          ],
        }),
    };
    const changes = diffIntent(before, intentOf(edited));
    expect(changes.map((c) => `${c.op} ${c.org} ${c.kind} ${c.key}`)).toEqual([
      "add tsu firewall allow-https-cms",
      "remove tsu firewall egov",
      "change tsu firewall web-in",
    ]);
    expect(changes[0]!.summary).toBe("internet → web tcp/443 accept");
    expect(summarizeIntent(changes)).toEqual([{ org: "tsu", kind: "firewall", add: 1, change: 1, remove: 1 }]);
  });

  it("reports a rule inserted at the top as one addition, not as a change of every later rule", () => {
    const tsu = inventory.orgs.find((o) => o.id === "tsu")!;
    const inserted = { ...tsu.firewall[0]!, name: "first" };
    const edited = { ...inventory, orgs: inventory.orgs.map((o) => (o.id !== "tsu" ? o : { ...tsu, firewall: [inserted, ...tsu.firewall] })) };
    expect(diffIntent(intentOf(inventory), intentOf(edited)).map((c) => `${c.op} ${c.key}`)).toEqual(["add first"]);
  });

  it("reports a reordering of existing rules once, since the first match wins", () => {
    const tsu = inventory.orgs.find((o) => o.id === "tsu")!;
    const edited = { ...inventory, orgs: inventory.orgs.map((o) => (o.id !== "tsu" ? o : { ...tsu, firewall: [...tsu.firewall].reverse() })) };
    const changes = diffIntent(intentOf(inventory), intentOf(edited));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ op: "change", org: "tsu", kind: "firewall", key: "(rule order)", summary: "rule order: block-c2, egov, web-in" });
  });
});
