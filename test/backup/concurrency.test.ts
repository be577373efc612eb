// Two scconf processes recording at once must both land and leave a sound repository.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenerationStore } from "../../src/backup/store.js";
import type { RecordEntry } from "../../src/backup/layout.js";

let dir: string;
const savedHome = process.env.HOME;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "scconf-lock-"));
  process.env.HOME = dir;
});
afterAll(async () => {
  process.env.HOME = savedHome;
  await rm(dir, { recursive: true, force: true });
});

function git(path: string, ...args: string[]): string {
  return execFileSync("git", ["-C", path, ...args], { encoding: "utf8" });
}

const entry = (device: string, content: string): RecordEntry => ({
  device,
  platform: "nftables",
  artifacts: [{ id: "ruleset", path: "/etc/nftables.d/scconf.nft", content }],
});

async function assertSound(path: string, records: number): Promise<void> {
  git(path, "fsck", "--strict", "--no-progress");
  expect(git(path, "status", "--porcelain", "--untracked-files=all")).toBe("");
  expect(Number(git(path, "rev-list", "--count", "HEAD"))).toBe(records + 1);
  const audit = (await readFile(join(path, "audit.jsonl"), "utf8")).trim().split("\n");
  expect(audit).toHaveLength(records);
  expect((await readdir(join(path, ".git"))).filter((f) => f.startsWith("scconf.lock"))).toEqual([]);
}

/** The store compiled to plain JS, so that real separate node processes can run it. */
async function compiledStore(): Promise<string> {
  const out = join(dir, "compiled");
  await mkdir(join(out, "backup"), { recursive: true });
  const src = resolve(import.meta.dirname, "../../src/backup");
  for (const file of await readdir(src)) {
    if (!file.endsWith(".ts")) continue;
    const { outputText } = ts.transpileModule(await readFile(join(src, file), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    await writeFile(join(out, "backup", file.replace(/\.ts$/, ".js")), outputText);
  }
  await writeFile(join(out, "package.json"), '{ "type": "module" }\n');
  await symlink(resolve(import.meta.dirname, "../../node_modules"), join(out, "node_modules"));
  await writeFile(
    join(out, "writer.mjs"),
    `import { GenerationStore } from "./backup/store.js";
const [path, name, count] = process.argv.slice(2);
const store = await GenerationStore.open(path, { keep: 2, lockTimeoutMs: 120000 });
for (let i = 0; i < Number(count); i++) {
  const artifacts = [{ id: "ruleset", path: "/etc/x", content: name + " " + i + "\\n" }];
  await store.record(
    [{ device: name, platform: "nftables", artifacts }, { device: "shared", platform: "nftables", artifacts }],
    { change: name + "-" + i, operator: name, kind: "apply" },
  );
}
`,
  );
  return join(out, "writer.mjs");
}

function run(script: string, ...args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => done({ code, stderr }));
  });
}

describe("GenerationStore: concurrent recording", () => {
  it("lets three separate processes create the store and record at once; every record lands, none corrupts", async () => {
    const writer = await compiledStore();
    const path = join(dir, "multi", "backups");
    const results = await Promise.all(["p1", "p2", "p3"].map((name) => run(writer, path, name, "4")));
    expect(results).toEqual([{ code: 0, stderr: "" }, { code: 0, stderr: "" }, { code: 0, stderr: "" }]);
    await assertSound(path, 12);
    const store = await GenerationStore.open(path, { keep: 2 });
    expect(await store.generationCount("shared")).toBe(12);
    for (const name of ["p1", "p2", "p3"]) {
      expect(await store.generationCount(name)).toBe(4);
      expect((await store.latest(name))!.artifacts[0]!.content).toBe(`${name} 3\n`);
    }
  });

  it("serialises two store instances in one process", async () => {
    const path = join(dir, "inproc");
    const a = await GenerationStore.open(path, { keep: 2 });
    const b = await GenerationStore.open(path, { keep: 2 });
    await Promise.all([
      ...[0, 1, 2].map((i) => a.record([entry("fw1", `a${i}\n`), entry("both", `a${i}\n`)], { change: `A-${i}`, operator: "a", kind: "apply" })),
      ...[0, 1, 2].map((i) => b.record([entry("fw2", `b${i}\n`), entry("both", `b${i}\n`)], { change: `B-${i}`, operator: "b", kind: "apply" })),
    ]);
    await assertSound(path, 6);
    expect(await a.generationCount("both")).toBe(6);
  });

  it("breaks the lock of a crashed process and discards its half-written files", async () => {
    const path = join(dir, "stale");
    const store = await GenerationStore.open(path, { keep: 2 });
    await store.record([entry("fw1", "v1\n")], { change: "C-1", operator: "o", kind: "apply" });
    const dead = spawnSync("true").pid!;
    await writeFile(join(path, ".git", "scconf.lock"), JSON.stringify({ pid: dead, host: hostname(), since: "then", purpose: "crashed" }));
    await writeFile(join(path, "devices", "fw1", "artifacts", "ruleset"), "half-written\n");
    await writeFile(join(path, "devices", "fw1", "artifacts", "orphan"), "left over\n");
    await store.assertWritable(); // a lock is present: the dirt is the lock holder's business
    await store.record([entry("fw1", "v2\n")], { change: "C-2", operator: "o", kind: "apply" });
    await assertSound(path, 2);
    expect((await store.latest("fw1"))!.artifacts.map((a) => a.content)).toEqual(["v2\n"]);
  });

  it("waits for a live lock holder only so long, then says who holds it", async () => {
    const path = join(dir, "live");
    const store = await GenerationStore.open(path, { keep: 2, lockTimeoutMs: 400 });
    const holder = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      await writeFile(join(path, ".git", "scconf.lock"), JSON.stringify({ pid: holder.pid, host: hostname(), since: "now", purpose: "apply CHG-9 by sato" }));
      await expect(store.record([entry("fw1", "v1\n")], { change: "C-1", operator: "o", kind: "apply" })).rejects.toThrow(
        new RegExp(`locked by pid ${holder.pid} on ${hostname()} since now \\(apply CHG-9 by sato\\)`),
      );
    } finally {
      holder.kill();
      await rm(join(path, ".git", "scconf.lock"));
    }
    await store.record([entry("fw1", "v1\n")], { change: "C-1", operator: "o", kind: "apply" });
  });
});
