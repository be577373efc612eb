import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretLeakError, StoreError } from "../../src/backup/errors.js";
import { GenerationStore } from "../../src/backup/store.js";
import type { RecordEntry, RecordMeta } from "../../src/backup/layout.js";

let root: string;
let n = 0;
const savedHome = process.env.HOME;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "scconf-store-"));
  // no global git identity or configuration: the store must work on a fresh machine
  process.env.HOME = await mkdtemp(join(root, "home-"));
});
afterAll(async () => {
  process.env.HOME = savedHome;
  await chmodTree(root);
  await rm(root, { recursive: true, force: true });
});

async function chmodTree(dir: string): Promise<void> {
  execFileSync("chmod", ["-R", "u+rwX", dir]);
}

/** a fresh directory for one test; the store goes to <dir>/backups, its key to <dir>/.scconf */
async function fresh(): Promise<string> {
  const dir = join(root, `t${++n}`);
  await mkdir(dir);
  return dir;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

const meta = (change: string, kind: RecordMeta["kind"] = "apply"): RecordMeta => ({ change, kind, operator: "tanaka", planHash: `sha256:${change}` });
const fw = (ruleset: string, running?: string): RecordEntry => ({
  device: "fw1",
  platform: "nftables",
  artifacts: [{ id: "ruleset", path: "/etc/nftables.d/scconf.nft", content: ruleset }],
  ...(running !== undefined ? { running } : {}),
});
const dns = (zone: string): RecordEntry => ({
  device: "dns1",
  platform: "bind",
  artifacts: [{ id: "zone-tsu.mie.jp", path: "/etc/bind/zones/tsu.mie.jp", content: zone }],
});

describe("GenerationStore: creation and refusal", () => {
  it("creates and initialises the repository on first use, on branch main, with a local identity", async () => {
    const dir = await fresh();
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    expect(git(store.path, "symbolic-ref", "HEAD").trim()).toBe("refs/heads/main");
    expect(await readFile(join(store.path, "README.md"), "utf8")).toContain("scconf");
    expect(git(store.path, "config", "user.name").trim()).toBe("scconf");
    await store.record([fw("a\n")], meta("CHG-1"));
    expect(git(store.path, "log", "-1", "--format=%an|%cn").trim()).toBe("tanaka|scconf");
    const key = await stat(join(dir, ".scconf", "redaction.key"));
    expect(key.mode & 0o777).toBe(0o600);
  });

  it("refuses keep below 2", async () => {
    const dir = await fresh();
    await expect(GenerationStore.open(join(dir, "backups"), { keep: 1 })).rejects.toThrow(/at least 2/);
  });

  it("refuses a path that exists but is not a git repository, or is a file", async () => {
    const dir = await fresh();
    await mkdir(join(dir, "backups"));
    await writeFile(join(dir, "backups", "notes.txt"), "hand-made\n");
    await expect(GenerationStore.open(join(dir, "backups"), { keep: 2 })).rejects.toThrow(/is not a git repository/);
    await writeFile(join(dir, "file"), "x");
    await expect(GenerationStore.open(join(dir, "file"), { keep: 2 })).rejects.toThrow(/not a directory/);
  });

  it("makes an empty directory inside another repository a repository of its own", async () => {
    const dir = await fresh();
    git(dir, "init", "-q");
    await mkdir(join(dir, "backups"));
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    await store.record([fw("a\n")], meta("CHG-1"));
    expect(git(store.path, "rev-parse", "--show-toplevel").trim()).toBe(store.path);
    expect(() => git(dir, "rev-parse", "HEAD")).toThrow(); // the parent got no commit
  });

  it("refuses a corrupt store", async () => {
    const dir = await fresh();
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    await store.record([fw("a\n")], meta("CHG-1"));
    const head = git(store.path, "rev-parse", "HEAD").trim();
    await rm(join(store.path, ".git", "objects", head.slice(0, 2), head.slice(2)));
    await expect(store.assertWritable()).rejects.toThrow(/is corrupt/);
    await expect(GenerationStore.open(store.path, { keep: 2 })).rejects.toThrow(/is corrupt/);
  });

  it("refuses a store that is not writable, but can open it read-only for history", async () => {
    const dir = await fresh();
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    await store.record([fw("a\n")], meta("CHG-1"));
    await chmod(join(store.path, ".git", "objects"), 0o555);
    try {
      await expect(store.assertWritable()).rejects.toThrow(/not writable/);
      await expect(GenerationStore.open(store.path, { keep: 2 })).rejects.toThrow(/not writable/);
      const readOnly = await GenerationStore.open(store.path, { keep: 2, readOnly: true });
      expect((await readOnly.latest("fw1"))?.artifacts[0]?.content).toBe("a\n");
    } finally {
      await chmod(join(store.path, ".git", "objects"), 0o755);
    }
    await expect(store.assertWritable()).resolves.toBeUndefined();
  });

  it("refuses a store with uncommitted hand edits under devices/", async () => {
    const dir = await fresh();
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    await store.record([fw("a\n")], meta("CHG-1"));
    await writeFile(join(store.path, "devices", "fw1", "artifacts", "ruleset"), "edited by hand\n");
    await expect(store.assertWritable()).rejects.toThrow(/uncommitted changes/);
    await expect(store.record([fw("b\n")], meta("CHG-2"))).rejects.toThrow(/uncommitted changes/);
    expect(await readFile(join(store.path, "devices", "fw1", "artifacts", "ruleset"), "utf8")).toBe("edited by hand\n");
  });

  it("refuses a redaction key that others can read, and a key inside the store", async () => {
    const dir = await fresh();
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    await chmod(store.redactionKeyPath, 0o644);
    await expect(GenerationStore.open(store.path, { keep: 2 })).rejects.toThrow(/accessible to other users/);
    await expect(
      GenerationStore.open(store.path, { keep: 2, redactionKeyPath: join(store.path, "k") }),
    ).rejects.toThrow(/must not lie inside/);
  });
});

describe("GenerationStore: record and read", () => {
  it("round-trips content byte for byte: Japanese text, CRLF, no trailing newline, empty", async () => {
    const dir = await fresh();
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    const artifacts = [
      { id: "ruleset", path: "/etc/nftables.d/scconf.nft", content: "# 津市 (三重県)\ntable inet scconf {\n}\n" },
      { id: "no-newline", path: "/etc/x", content: "最後の行に改行なし" },
      { id: "crlf", path: "/etc/y", content: "a\r\nb\r\n" },
      { id: "empty", path: "/etc/z", content: "" },
    ];
    const running = "# 四日市市\nset x 1\r\nno newline at end";
    await store.record([{ device: "fw1", platform: "nftables", artifacts, running }], meta("CHG-1"));
    const snap = await store.read("fw1", 1);
    expect(snap.artifacts).toEqual([...artifacts].sort((a, b) => a.id.localeCompare(b.id)));
    expect(snap.running).toBe(running);
    expect(snap.meta.platform).toBe("nftables");
    const onDisk = await readFile(join(store.path, "devices", "fw1", "artifacts", "no-newline"));
    expect(onDisk.equals(Buffer.from("最後の行に改行なし", "utf8"))).toBe(true);
  });

  it("numbers generations from 1 for the oldest, lists the newest keep, and makes no generation for unchanged content", async () => {
    const dir = await fresh();
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    const c1 = await store.record([fw("v1\n"), dns("z1\n")], meta("CHG-1", "backup"));
    const c2 = await store.record([fw("v2\n"), dns("z1\n")], meta("CHG-2"));
    const c3 = await store.record([fw("v3\n")], meta("CHG-3"));
    const c4 = await store.record([fw("v3\n")], meta("CHG-4"));
    expect(new Set([c1, c2, c3, c4]).size).toBe(4); // one commit per run, even when nothing changed

    const listed = await store.generations("fw1");
    expect(listed.map((g) => g.number)).toEqual([3, 2]);
    const all = await store.generations("fw1", { all: true });
    expect(all.map((g) => [g.number, g.change, g.commit])).toEqual([[3, "CHG-3", c3], [2, "CHG-2", c2], [1, "CHG-1", c1]]);
    expect(all[0]).toMatchObject({ device: "fw1", operator: "tanaka", kind: "apply", planHash: "sha256:CHG-3" });
    expect(all[2]!.kind).toBe("backup");
    expect(Date.parse(all[0]!.date)).not.toBeNaN();
    expect((await store.generations("dns1", { all: true })).map((g) => g.commit)).toEqual([c1]);

    expect((await store.read("fw1", 1)).artifacts[0]!.content).toBe("v1\n");
    expect((await store.read("fw1", c2.slice(0, 8))).artifacts[0]!.content).toBe("v2\n");
    // a commit that did not touch the device gives the device's state as of that commit
    const asOf = await store.read("dns1", c3.slice(0, 10));
    expect(asOf.generation.number).toBe(1);
    expect((await store.latest("fw1"))!.generation.commit).toBe(c3);
    expect(await store.latest("nope")).toBeUndefined();
    expect(await store.generationCount("fw1")).toBe(3);
    expect(await store.verify("fw1")).toBe(2);
    await expect(store.read("fw1", 9)).rejects.toThrow(/no generation 9/);
    await expect(store.read("fw1", "main")).rejects.toThrow(/neither a generation number nor a commit/);

    const audit = (await readFile(join(store.path, "audit.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.map((a) => [a.change, a.changed])).toEqual([
      ["CHG-1", ["dns1", "fw1"]],
      ["CHG-2", ["fw1"]],
      ["CHG-3", ["fw1"]],
      ["CHG-4", []],
    ]);
  });

  it("writes one commit per run with machine-readable trailers", async () => {
    const dir = await fresh();
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    await store.record([fw("v1\n"), dns("z1\n")], { ...meta("CHG-7"), message: "津市の依頼による変更" }, { approvedBy: "suzuki" });
    const body = git(store.path, "log", "-1", "--format=%B");
    expect(body.split("\n")[0]).toBe("scconf apply CHG-7: fw1, dns1");
    expect(body).toContain("津市の依頼による変更");
    const trailers = git(store.path, "log", "-1", "--format=%(trailers:only,unfold)");
    expect(trailers).toContain("Scconf-Change: CHG-7\n");
    expect(trailers).toContain("Scconf-Plan: sha256:CHG-7\n");
    expect(trailers).toContain("Scconf-Operator: tanaka\n");
    expect(trailers).toContain("Scconf-Devices: fw1, dns1\n");
    expect(trailers).toContain("Scconf-Changed: dns1, fw1\n");
    const last = JSON.parse((await readFile(join(store.path, "audit.jsonl"), "utf8")).trim()) as Record<string, unknown>;
    expect(last).toMatchObject({ change: "CHG-7", details: { approvedBy: "suzuki" } });
    expect(git(store.path, "show", "--name-only", "--format=", "HEAD").trim().split("\n")).toContain("audit.jsonl");
  });

  it("drops artifacts and running.txt that a newer generation no longer has", async () => {
    const dir = await fresh();
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    const two = { ...fw("a\n", "running 1\n"), artifacts: [...fw("a\n").artifacts, { id: "sets", path: "/etc/s", content: "s\n" }] };
    await store.record([two], meta("CHG-1"));
    await store.record([fw("a\n")], meta("CHG-2"));
    const latest = (await store.latest("fw1"))!;
    expect(latest.artifacts.map((a) => a.id)).toEqual(["ruleset"]);
    expect(latest.running).toBeUndefined();
    expect((await store.read("fw1", 1)).running).toBe("running 1\n");
  });

  it("refuses unsafe names and one-line fields that are not one line", async () => {
    const dir = await fresh();
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    await expect(store.record([{ ...fw("a\n"), device: "../etc" }], meta("CHG-1"))).rejects.toThrow(/invalid device name/);
    await expect(store.record([{ ...fw("a\n"), artifacts: [{ id: "..", path: "/x", content: "" }] }], meta("CHG-1"))).rejects.toThrow(/invalid artifact id/);
    await expect(store.record([fw("a\n"), fw("b\n")], meta("CHG-1"))).rejects.toThrow(/twice/);
    await expect(store.record([fw("a\n")], { ...meta("CHG-1\nScconf-Change: forged") })).rejects.toThrow(/one non-empty line/);
    await expect(store.record([fw("a\n")], { ...meta("CHG-1"), operator: "x <y>" })).rejects.toThrow(/operator/);
  });

  it("leaves the repository at its previous HEAD when writing fails half-way", async () => {
    const dir = await fresh();
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    const good = await store.record([fw("v1\n"), dns("z1\n")], meta("CHG-1"));
    // an empty directory where a new artifact must go: git does not see it, the rename onto it fails
    await mkdir(join(store.path, "devices", "dns1", "artifacts", "zone-new", "sub"), { recursive: true });
    expect(git(store.path, "status", "--porcelain").trim()).toBe("");

    const withNew = { ...dns("z2\n"), artifacts: [...dns("z2\n").artifacts, { id: "zone-new", path: "/etc/bind/zones/new", content: "n\n" }] };
    await expect(store.record([fw("v2\n"), withNew], meta("CHG-2"))).rejects.toThrow(/cannot write/);
    expect(git(store.path, "rev-parse", "HEAD").trim()).toBe(good);
    expect(git(store.path, "status", "--porcelain", "--untracked-files=all").trim()).toBe("");
    expect(await readFile(join(store.path, "devices", "fw1", "artifacts", "ruleset"), "utf8")).toBe("v1\n");
    expect((await readFile(join(store.path, "audit.jsonl"), "utf8")).trim().split("\n")).toHaveLength(1);

    await rm(join(store.path, "devices", "dns1", "artifacts", "zone-new"), { recursive: true, force: true });
    await store.record([fw("v2\n"), withNew], meta("CHG-2"));
    expect(await store.generationCount("dns1")).toBe(2);
  });

  it("refuses to record a secret the redactor does not know, and writes nothing", async () => {
    const dir = await fresh();
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    const head = await store.record([fw("v1\n")], meta("CHG-1"));
    const running = 'set system services web credential "$6$zz$PLANTunknownHash"\n';
    const error = await store.record([fw("v2\n", running)], meta("CHG-2")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretLeakError);
    expect((error as SecretLeakError).message).toMatch(/device fw1, running configuration \(after redaction\), line 1: crypt\(3\) password hash/);
    expect((error as SecretLeakError).message).not.toContain("PLANT");
    expect(git(store.path, "rev-parse", "HEAD").trim()).toBe(head);
    expect(git(store.path, "status", "--porcelain", "--untracked-files=all").trim()).toBe("");
    // secrets in artifacts, the message and audit details are refused too
    await expect(store.record([fw("x ENC QUJDREVGR0hJSktMTU5PUA==\n")], meta("CHG-3"))).rejects.toBeInstanceOf(SecretLeakError);
    await expect(store.record([fw("v2\n")], { ...meta("CHG-4"), message: "-----BEGIN RSA PRIVATE KEY-----" })).rejects.toBeInstanceOf(SecretLeakError);
    await expect(store.record([fw("v2\n")], meta("CHG-5"), { note: "$6$ab$PLANTaudit" })).rejects.toBeInstanceOf(SecretLeakError);
    expect(git(store.path, "rev-parse", "HEAD").trim()).toBe(head);
  });
});

describe("GenerationStore: changes and rollback targets", () => {
  it("finds the devices a change modified and each device's state before it", async () => {
    const dir = await fresh();
    const store = await GenerationStore.open(join(dir, "backups"), { keep: 2 });
    await store.record([fw("v1\n"), dns("z1\n")], meta("CHG-0", "backup"));
    // a pre-apply backup of CHG-1 sees fw1 drifted by hand on the device; that drift is the state before
    await store.record([fw("v1-drift\n"), dns("z1\n")], meta("CHG-1", "backup"));
    await store.record([fw("v2\n"), dns("z2\n"), { ...dns("z1\n"), device: "dns2" }], meta("CHG-1"));
    await store.record([fw("v3\n"), dns("z2\n")], meta("CHG-2"));
    await store.record([fw("v4\n")], meta("CHG-1", "rollback"));

    expect(await store.devicesTouchedBy("CHG-1")).toEqual(["dns1", "dns2", "fw1"]);
    expect(await store.devicesTouchedBy("CHG-2")).toEqual(["fw1"]);
    expect(await store.devicesTouchedBy("CHG-0")).toEqual([]); // a backup modifies nothing
    expect((await store.stateBefore("CHG-1", "fw1"))!.artifacts[0]!.content).toBe("v1-drift\n");
    expect((await store.stateBefore("CHG-1", "dns1"))!.artifacts[0]!.content).toBe("z1\n");
    expect((await store.stateBefore("CHG-2", "fw1"))!.artifacts[0]!.content).toBe("v2\n");
    expect(await store.stateBefore("CHG-1", "dns2")).toBeUndefined(); // CHG-1 created it
    await expect(store.stateBefore("CHG-2", "dns1")).rejects.toThrow(StoreError);
  });
});
