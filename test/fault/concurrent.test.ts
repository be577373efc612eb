// Ten scconf processes apply ten different inventories to the same device at
// once. The device lock lets exactly one work at a time (the device-side check
// logs begin/end and must never interleave); the others are refused with the
// lock message or, having planned against a state that changed since, as a
// stale plan (exit 3). The device ends with exactly one run's content, the
// store passes git fsck, and it has one applied generation per successful run.
import { execFile } from "node:child_process";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { GenerationStore } from "../../src/backup/store.js";
import { readOrNull } from "./helpers.js";
import { DEVICE, makeFaultProject, scconf, show, variantInventory, type FaultProject } from "./project.js";

const run = promisify(execFile);
const OLD = "# unbound: written by hand before scconf\nserver:\n";
const RUNS = 10;
let p: FaultProject | undefined;

afterAll(async () => {
  if (p) await rm(p.dir, { recursive: true, force: true });
});

describe("ten concurrent applies to one device", () => {
  it("one at a time; the others refused with exit 3; the device holds one run's content; the store stays sound", async () => {
    const project = await makeFaultProject({
      device: ({ commandLog }) => ({
        root: "dev-local",
        paths: { unbound: "/etc/unbound/scconf.conf" },
        stateDir: "/state",
        // runs under the device lock: two runs inside it at once would interleave begin/end
        checkCommand: `echo begin $$ >> ${commandLog} && sleep 0.3 && echo end $$ >> ${commandLog}`,
        reloadCommand: "true",
      }),
    });
    p = project;
    const file = path.join(project.dir, "dev-local/etc/unbound/scconf.conf");
    const stateDir = path.join(project.dir, "dev-local/state");
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, OLD);
    await GenerationStore.open(project.backups, { keep: 10 });
    const inventories = await Promise.all(Array.from({ length: RUNS }, (_, i) => variantInventory(project, i)));

    const t0 = Date.now();
    const results = await Promise.all(
      inventories.map((inventory) => scconf(project, ["apply", "--yes", "-d", DEVICE, "--confirm-timeout", "60"], { inventory, timeoutMs: 170_000 })),
    );
    const took = Date.now() - t0;

    const winners: number[] = [];
    results.forEach((r, i) => {
      expect([0, 3], `run ${i}: ${show(r)}`).toContain(r.code);
      if (r.code === 0) winners.push(i);
      else expect(r.stdout + r.stderr, `run ${i}`).toMatch(/locked by fault|stale plan/);
    });
    expect(winners.length, `no run succeeded (${took} ms)`).toBeGreaterThanOrEqual(1);

    // never two inside the lock at once
    const log = ((await readOrNull(project.commandLog)) ?? "").trim().split("\n");
    expect(log.length % 2).toBe(0);
    for (let i = 0; i < log.length; i += 2) {
      const [b, pidB] = log[i]!.split(" ");
      const [e, pidE] = log[i + 1]!.split(" ");
      expect({ b, e, same: pidB === pidE }, log.join("\n")).toEqual({ b: "begin", e: "end", same: true });
    }

    // exactly one run's content, and it is a winner's
    const now = (await readOrNull(file)) ?? "";
    const present = Array.from({ length: RUNS }, (_, i) => i).filter((i) => new RegExp(`\\bbousai${i}\\b`).test(now));
    expect(present).toHaveLength(1);
    expect(winners).toContain(present[0]);
    expect((await readdir(stateDir)).filter((n) => ["lock", "stage", "pending.json", "prev"].includes(n))).toEqual([]);

    const fsck = await run("git", ["-C", project.backups, "fsck", "--full", "--strict"]).then(() => 0, () => 1);
    expect(fsck).toBe(0);
    const store = await GenerationStore.open(project.backups, { keep: 10, readOnly: true });
    const gens = await store.generations(DEVICE, { all: true });
    expect(gens.filter((g) => g.kind === "apply")).toHaveLength(winners.length);
    // the hand-written state was backed up once, by the first winner
    expect(gens.filter((g) => g.kind === "backup")).toHaveLength(1);
  }, 180_000);
});
