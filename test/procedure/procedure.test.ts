// The work procedure (作業手順書) is written from the step list apply executes:
// every step and rollback of every changed device, in order, for a plan that a
// real apply then runs (local devices in a temp project); the executed step
// ids are compared with the described ones.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPlan, type ApplyResult } from "../../src/apply/apply.js";
import { describeTransaction } from "../../src/apply/steps.js";
import { GenerationStore } from "../../src/backup/store.js";
import { main } from "../../src/cli/main.js";
import { driverOpener, lockOwner } from "../../src/cli/runtime.js";
import type { Inventory } from "../../src/model/types.js";
import { savePlan } from "../../src/plan/file.js";
import { makePlan } from "../../src/plan/make.js";
import type { Plan } from "../../src/plan/types.js";
import { renderAll } from "../../src/render/render.js";
import { localFilePath } from "../../src/transport/index.js";
import { affectedOrgs, buildProcedure, formatMs, procedureSteps, type DeviceFacts, type ProcedureInput, type Rehearsal } from "../../src/workflow/procedure/document.js";
import { deviceFacts } from "../../src/workflow/procedure/facts.js";
import { MESSAGES, type Lang } from "../../src/workflow/procedure/messages.js";
import { mdCell, toHtml, toMarkdown } from "../../src/workflow/procedure/render.js";
import { loadFixture, SMALL_INVENTORY, TEST_TODAY } from "../helpers/inventory.js";

const DEVICES = ["fw-nft", "rp-nginx", "dns-unbound", "fw-srx"];
const HAND_WRITTEN = "# written by hand before scconf\n";

let dir: string;
let inventory: Inventory;
let plan: Plan;
let store: GenerationStore;
let facts: Record<string, DeviceFacts>;
let dryRun: ApplyResult;
let rehearsal: Rehearsal;

const applyOptions = async (dry: boolean) => ({
  dryRun: dry,
  confirmTimeout: (d: string) => inventory.devices.find((x) => x.name === d)!.confirmTimeout,
  parallel: 4,
  operator: "procedure-test",
  change: dry ? "rehearsal" : "work",
  kind: "apply" as const,
  store,
  owner: lockOwner("procedure-test", "work"),
  openDriver: await driverOpener(inventory),
});

const input = (lang: Lang, withRehearsal = false): ProcedureInput => ({
  plan,
  planFile: "plan.json",
  inventory,
  lang,
  devices: facts,
  approvals: [{ by: "checker-san", at: "2026-11-26T09:00:00Z", comment: "ok | reviewed", committed: true }],
  ...(withRehearsal ? { rehearsal } : {}),
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "scconf-procedure-"));
  await cp(SMALL_INVENTORY, path.join(dir, "inventory"), { recursive: true });
  inventory = loadFixture(path.join(dir, "inventory"));
  const { configs, errors } = renderAll(inventory, { today: TEST_TODAY }, (d) => DEVICES.includes(d.name));
  expect(errors).toEqual([]);
  // every device runs something no generation holds yet: the backup step makes it generation 1
  for (const c of configs) {
    const root = path.join(dir, inventory.devices.find((d) => d.name === c.device)!.root!);
    for (const a of c.artifacts) {
      const file = path.join(root, localFilePath(a.path));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, HAND_WRITTEN);
    }
  }
  const made = await makePlan(inventory, configs, { offline: false, parallel: 4, operator: "procedure-test", today: TEST_TODAY, openDriver: await driverOpener(inventory) });
  expect(made.unreachable).toEqual([]);
  plan = made.plan;
  store = await GenerationStore.open(path.join(dir, "backups"), { keep: 10 });
  facts = {};
  for (const d of plan.devices.filter((x) => x.changed)) facts[d.device] = await deviceFacts(store, d);
  dryRun = await applyPlan(plan, await applyOptions(true));
  // what `apply --record FILE` writes (src/cli/apply.ts)
  rehearsal = { file: "rehearsal.json", plan: plan.id, dryRun: true, recordedAt: "2026-11-27T10:00:00Z", devices: dryRun.devices.map((d) => ({ device: d.device, outcome: d.outcome, steps: d.timings })) };
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the procedure describes what apply executes", () => {
  it("a rehearsal (dry-run) executes exactly the described dry-run steps", () => {
    expect(dryRun.exitCode).toBe(0);
    const changed = plan.devices.filter((d) => d.changed);
    expect(changed.map((d) => d.device).sort()).toEqual([...DEVICES].sort());
    for (const d of changed) {
      const r = dryRun.devices.find((x) => x.device === d.device)!;
      expect({ device: d.device, executed: r.executed }).toEqual({ device: d.device, executed: describeTransaction(d, { dryRun: true, confirmTimeout: 120 }).map((s) => s.id) });
    }
  });

  for (const lang of ["ja", "en"] as const) {
    it(`(${lang}) lists, per changed device and in order, every step with its action, expectation and rollback, and the double-check columns`, () => {
      const md = toMarkdown(buildProcedure(input(lang)));
      const m = MESSAGES[lang];
      for (const d of plan.devices.filter((x) => x.changed)) {
        let at = md.indexOf(`${d.device} (${d.platform}`);
        expect(at, `section of ${d.device}`).toBeGreaterThan(0);
        for (const step of procedureSteps(d, inventory.devices.find((x) => x.name === d.device)!)) {
          const row = `| ${mdCell(step.title[lang])} | ${mdCell(step.action)} | ${mdCell(step.expect[lang])} |`;
          const found = md.indexOf(row, at);
          expect(found, `${d.device} ${step.id}: ${row}`).toBeGreaterThan(at);
          at = found;
          if (step.rollback) expect(md.indexOf(mdCell(step.rollback[lang]), at), `${d.device} ${step.id} rollback`).toBeGreaterThan(0);
        }
        // the device returns to generation 1: the hand-written state the backup step records
        expect(md).toContain(`scconf rollback ${d.device} --to 1`);
      }
      expect(md).toContain(`| ${m.steps.columns.operator} | ${m.steps.columns.checker} |`);
      expect(md).toContain("| ☐ | ☐ |");
      expect(md).toContain("checker-san");
      expect(md).toContain("ok \\| reviewed");
      const orgs = affectedOrgs(plan, inventory);
      expect(orgs.length).toBeGreaterThan(0);
      for (const o of orgs) {
        expect(md).toContain(o.name[lang]);
        for (const c of o.contacts) expect(md).toContain(c.email);
      }
      expect(md.startsWith(`# ${m.title}: ${plan.id}`)).toBe(true);
    });
  }

  it("with a rehearsal record, shows every measured step duration and the totals", () => {
    const md = toMarkdown(buildProcedure(input("en", true)));
    let overall = 0;
    for (const d of rehearsal.devices) {
      const section = md.slice(md.indexOf(`${d.device} (`));
      const described = new Set<string>(procedureSteps(plan.devices.find((x) => x.device === d.device)!, inventory.devices.find((x) => x.name === d.device)!).map((s) => s.id));
      // the dry-run's own "discard" is not a step of the work; its time still counts in the total
      for (const t of d.steps.filter((x) => described.has(x.step))) expect(section).toContain(`| ${formatMs(t.ms)} | ☐ | ☐ |`);
      const total = d.steps.reduce((s, t) => s + t.ms, 0);
      overall += total;
      expect(section).toContain(`| Total |  |  |  |  | ${formatMs(total)} |`);
      // not part of a dry-run: shown as not measured, never as 0
      expect(section).toMatch(/Commit with a \d+ s confirm timer \|.*\| — \| ☐ \| ☐ \|/);
    }
    expect(md).toContain(`Overall total: ${formatMs(overall)}`);
  });

  it("renders the same content as a standalone HTML page, everything escaped", () => {
    const html = toHtml(buildProcedure(input("ja", true)), "ja");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain('<html lang="ja">');
    expect(html).not.toMatch(/<(script|link|img)\b/);
    expect(html).toContain("ok | reviewed");
    for (const d of plan.devices.filter((x) => x.changed)) {
      for (const step of procedureSteps(d, inventory.devices.find((x) => x.name === d.device)!)) {
        expect(html).toContain(step.action.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;"));
      }
    }
  });

  it("the real apply executes exactly the described steps (record last, once for the whole run), and generation 1 is the state before", async () => {
    const result = await applyPlan(plan, await applyOptions(false));
    expect(result.exitCode, JSON.stringify(result.devices.map((d) => [d.device, d.outcome, d.error]))).toBe(0);
    for (const d of plan.devices.filter((x) => x.changed)) {
      const described = procedureSteps(d, inventory.devices.find((x) => x.name === d.device)!).map((s) => s.id);
      const r = result.devices.find((x) => x.device === d.device)!;
      // "record" is the fleet's one backups commit after every device: described and executed last
      expect({ device: d.device, executed: r.executed }).toEqual({ device: d.device, executed: described });
      expect(r.generationAfter).toBe(2);
      const before = await store.read(d.device, facts[d.device]!.returnTo!.generation);
      expect(before.artifacts.every((a) => a.content === HAND_WRITTEN)).toBe(true);
    }
    expect(result.commit).toBeDefined();
  }, 120_000);

  it("scconf procedure writes the document from a plan file (en, md, with --rehearsal)", async () => {
    const planFile = path.join(dir, "plan.json");
    const recordFile = path.join(dir, "rehearsal.json");
    const out = path.join(dir, "procedure.md");
    savePlan(planFile, plan);
    await writeFile(recordFile, JSON.stringify({ ...rehearsal, file: undefined }));
    const saved = process.exitCode;
    await main(["node", "scconf", "-i", path.join(dir, "inventory"), "--today", TEST_TODAY, "procedure", planFile, "--lang", "en", "--rehearsal", recordFile, "-o", out]);
    const code = process.exitCode;
    process.exitCode = saved;
    expect(code ?? 0).toBe(0);
    const md = await readFile(out, "utf8");
    expect(md).toContain(`# Work procedure: ${plan.id}`);
    for (const d of DEVICES) expect(md).toContain(`scconf rollback ${d} --to`);
    expect(md).toContain("Overall total:");
  }, 60_000);
});
