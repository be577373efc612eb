// Issue 17, "text that locks a shared device": a URL filter entry with a
// token-like query string validated, was pushed to the proxy and the UTM, and
// then the backup refused to record it: apply said nothing was pushed while
// both devices ran it, and every later apply, rollback and block to them
// stopped at the backup. Now validate refuses it at its line with the
// backup's own detector; render refuses what the detector would flag; apply
// refuses before any commit what it could not record; and if recording still
// fails after the confirm, apply exits 4 naming the devices that run an
// unrecorded change.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyPlan } from "../../src/apply/apply.js";
import { currentLockOwner } from "../../src/transport/file-device.js";
import { GenerationStore } from "../../src/backup/store.js";
import { deviceSchema } from "../../src/model/schema.js";
import { makeRepo } from "../workflow/repo.js";
import { onePlan, openerFor } from "./helpers.js";

const TOKEN_URL = "phish.example.com/login?token=AbCdEfGhIjKlMnOpQrStUv";
const URL_LINE = "  block: { domains: [ads.example.com] }";
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("secret-like text in the inventory", () => {
  it("is refused by validate at its line, by the backup's detector, and nothing renders from it", () => {
    const repo = makeRepo({ localDevices: true });
    dirs.push(repo.top);
    repo.edit("orgs/tsu.yaml", URL_LINE, `  block: { domains: [ads.example.com], urls: ["${TOKEN_URL}"] }`, "Bob");
    const v = repo.scconf(["validate"]);
    expect(v.code, v.stdout + v.stderr).toBe(1);
    expect(v.stdout + v.stderr).toMatch(/orgs\/tsu\.yaml:18:\d+: error: urlFilter\.block\.urls\[0\]: this value looks like a long opaque value after a secret keyword to the backup's secret detector/);
    const apply = repo.scconf(["apply", "--yes"]);
    expect(apply.code).toBe(1);
    expect(apply.stdout + apply.stderr).toContain("nothing was rendered or pushed");
  });
});

describe("a record that fails after the confirm", () => {
  const OLD = "server: old\n";
  async function localDevice(current = OLD, seed = true) {
    const base = await mkdtemp(path.join(os.tmpdir(), "scconf-secret-"));
    dirs.push(base);
    const root = path.join(base, "root");
    await mkdir(path.join(root, "etc"), { recursive: true });
    await writeFile(path.join(root, "etc/app.conf"), current);
    const device = deviceSchema.parse({ name: "web1", platform: "nginx", kinds: ["reverseProxy"], transport: "local", root, checkCommand: "true", reloadCommand: "true" });
    const store = await GenerationStore.open(path.join(base, "backups"), { keep: 10, redactionKeyPath: path.join(base, "redaction.key") });
    if (seed) await store.record([{ device: "web1", platform: "nginx", artifacts: [{ id: "app", path: "/etc/app.conf", content: OLD }] }], { change: "seed", operator: "t", kind: "backup" });
    return { device, root, store, onDevice: () => readFile(path.join(root, "etc/app.conf"), "utf8") };
  }
  const run = (d: Awaited<ReturnType<typeof localDevice>>, desired: string, store: GenerationStore, current = OLD) =>
    applyPlan(onePlan(d.device, { id: "app", path: "/etc/app.conf", format: "text" }, current, desired), {
      dryRun: false, confirmTimeout: () => 30, parallel: 1, operator: "t", change: "CHG-1", kind: "apply",
      store, owner: currentLockOwner("t", "CHG-1"), openDriver: openerFor(d.device),
    });

  it("refuses before any commit a desired text the backup could not record: the device keeps its configuration", async () => {
    const d = await localDevice();
    // a hand-made plan (or a renderer gap) carrying what the detector flags
    await expect(run(d, `server: new\n# ${TOKEN_URL}\n`, d.store)).rejects.toThrow(/possible secret/);
    expect(await d.onDevice()).toBe(OLD);
    expect((await d.store.generations("web1", { all: true })).length).toBe(1);
  });

  it("exits 4 naming the device when the record itself fails after the confirm", async () => {
    const d = await localDevice();
    const failing = Object.create(d.store) as GenerationStore;
    failing.record = async (entries, meta, audit) => {
      if (meta.kind === "apply") throw new Error("disk full");
      return d.store.record(entries, meta, audit);
    };
    const r = await run(d, "server: new\n", failing);
    expect(await d.onDevice()).toBe("server: new\n");
    expect(r.exitCode).toBe(4);
    expect(r.unrecorded).toEqual({ devices: ["web1"], reason: "disk full" });
    expect(r.devices.map((x) => x.outcome)).toEqual(["applied"]);
  });

  it("still takes the change that removes secret-like text the device already holds, keeping its backup with that line withheld", async () => {
    const held = `server: old\n# ${TOKEN_URL}\n`;
    const d = await localDevice(held, false);
    const r = await run(d, "server: new\n", d.store, held);
    expect(r.exitCode, JSON.stringify(r.devices)).toBe(0);
    expect(await d.onDevice()).toBe("server: new\n");
    const gens = await d.store.generations("web1", { all: true });
    expect(gens.map((g) => g.kind)).toEqual(["apply", "backup"]);
    const backup = await d.store.read("web1", gens[1]!.number);
    const text = backup?.artifacts[0]?.content ?? "";
    expect(text).toContain("server: old");
    expect(text).toContain("<scconf: line withheld from this backup: it looks like a long opaque value after a secret keyword>");
    expect(text).not.toContain("AbCdEfGhIjKlMnOpQrStUv");
  });
});
