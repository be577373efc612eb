// The backup store: a git repository of configuration generations per device
// (requirement R1: a committed backup after every change, two or more
// generations kept per device; R5: the history is the git log).
//
// Layout:
//   devices/<device>/artifacts/<artifact id>   exact bytes of each artifact
//   devices/<device>/running.txt               redacted running configuration, when the device gave one
//   devices/<device>/meta.json                 platform, artifact id -> path and sha256
//   audit.jsonl                                one JSON line per recorded run
//
// A generation exists only once its commit exists: files are written under a
// lock, committed once per run, and reset to the previous HEAD on any failure.
//
// Retention: history is never rewritten, because the git history is the
// audit trail. git therefore keeps every generation; `keep` (>= 2) is the
// number `generations()` lists by default and the number `verify()` proves
// readable. Nothing in the store can delete a generation, so no operation can
// leave fewer than `keep`.
import { randomUUID } from "node:crypto";
import { constants } from "node:fs";
import { access, mkdir, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { SimpleGit } from "simple-git";
import { StoreError } from "./errors.js";
import { TMP_DIR, atomicWrite, initIfAbsent, listFiles } from "./files.js";
import { checkRepository, gitAt } from "./git.js";
import { commitMessage, listCommits, toGenerations, TRAILER, type Generation } from "./history.js";
import { loadRedactionKey } from "./key.js";
import { acquireLock, lockHolder } from "./lock.js";
import {
  AUDIT_FILE,
  artifactFile,
  assertNoSecrets,
  checkDeviceName,
  checkRecordMeta,
  deviceDir,
  metaFile,
  parseDeviceMeta,
  prepareDevices,
  runningFile,
  sha256,
  type DeviceMeta,
  type PreparedDevice,
  type RecordEntry,
  type RecordMeta,
  type StoredArtifact,
} from "./layout.js";

export interface StoreOptions {
  /** generations listed and verified per device; at least 2 (R1) */
  keep: number;
  /** default: <parent of the store>/.scconf/redaction.key; must lie outside the store */
  redactionKeyPath?: string;
  /** how long record() waits for another scconf process to finish (default 60 s) */
  lockTimeoutMs?: number;
  /** skip the writability check, to read history from a read-only store (default false: open refuses it) */
  readOnly?: boolean;
}

/** One generation read back, byte-identical to what was recorded. */
export interface Snapshot {
  generation: Generation;
  artifacts: StoredArtifact[];
  running?: string;
  meta: DeviceMeta;
}

export class GenerationStore {
  private readonly git: SimpleGit;
  private key: Buffer | undefined;

  private constructor(
    readonly path: string,
    readonly keep: number,
    readonly redactionKeyPath: string,
    private readonly lockTimeoutMs: number,
  ) {
    this.git = gitAt(path);
  }

  /** The default store location: backups/ next to the inventory directory. */
  static defaultPath(inventoryRoot: string): string {
    return join(dirname(resolve(inventoryRoot)), "backups");
  }

  static async open(path: string, options: StoreOptions): Promise<GenerationStore> {
    if (!Number.isInteger(options.keep) || options.keep < 2) {
      throw new StoreError(`keep must be an integer of at least 2 (got ${options.keep})`, "R1 requires two or more generations per device");
    }
    const root = resolve(path);
    const keyPath = resolve(options.redactionKeyPath ?? join(dirname(root), ".scconf", "redaction.key"));
    if (keyPath === root || keyPath.startsWith(root + sep)) {
      throw new StoreError(`the redaction key ${keyPath} must not lie inside the backup store`, "choose a key path outside it");
    }
    // created on first use even by a reading command, so that "no history yet" reads as an empty store
    await initIfAbsent(root);
    const store = new GenerationStore(root, options.keep, keyPath, options.lockTimeoutMs ?? 60_000);
    if (options.readOnly) await checkRepository(root);
    else await store.assertWritable();
    return store;
  }

  /**
   * Refuses a store that a record would fail on. apply calls this before it
   * touches any device, so that a change is never made that cannot be backed up.
   */
  async assertWritable(): Promise<void> {
    await checkRepository(this.path);
    const gitDir = join(this.path, ".git");
    for (const dir of [this.path, gitDir, join(gitDir, "objects"), join(gitDir, "refs", "heads")]) {
      const st = await stat(dir).catch(() => undefined);
      // root passes access(W_OK) everywhere: a directory without its write bit was made read-only on purpose
      if (!st || (st.mode & 0o200) === 0) {
        throw new StoreError(`the backup store is not writable: ${dir} is read-only`, `chmod u+w ${dir}, or choose another store`);
      }
      await access(dir, constants.W_OK).catch((error: Error) => {
        throw new StoreError(`the backup store is not writable: ${dir}: ${error.message}`);
      });
    }
    const probe = join(gitDir, TMP_DIR, `probe-${process.pid}-${randomUUID()}`);
    try {
      await mkdir(dirname(probe), { recursive: true });
      await writeFile(probe, "");
      await unlink(probe);
    } catch (error) {
      throw new StoreError(`the backup store is not writable: ${(error as Error).message}`);
    }
    if ((await this.dirtyPaths()).length > 0 && (await lockHolder(this.lockPath())) === undefined) {
      throw this.dirtyError();
    }
    await this.redactionKey();
  }

  /**
   * Throws what record() would throw for these devices' content (a secret-like
   * text, an invalid id), without writing anything: apply asks before it
   * commits on any device, so that no device runs what cannot be recorded.
   */
  async assertRecordable(entries: RecordEntry[]): Promise<void> {
    prepareDevices(entries, await this.redactionKey());
  }

  /**
   * Writes the given devices and commits once. Devices whose content did not
   * change get no new generation; the audit line records the run regardless.
   * Returns the commit hash.
   */
  async record(entries: RecordEntry[], meta: RecordMeta, audit?: Readonly<Record<string, unknown>>): Promise<string> {
    checkRecordMeta(meta);
    // a run that changed no device (all refused, an approval) still leaves its audit line
    if (entries.length === 0 && audit === undefined) throw new StoreError("nothing to record: no device and no audit line given");
    const prepared = prepareDevices(entries, await this.redactionKey());
    const devices = prepared.map((p) => p.device);
    assertNoSecrets(commitMessage(meta, devices, devices), "commit message");
    if (audit !== undefined) assertNoSecrets(JSON.stringify(audit), "audit details");

    const lock = await acquireLock(this.lockPath(), `${meta.kind} ${meta.change} by ${meta.operator}`, this.lockTimeoutMs);
    try {
      const head = await this.head();
      if ((await this.dirtyPaths()).length > 0) {
        // only the leftovers of a crashed scconf run (whose lock we just broke) are ours to discard
        if (!lock.brokeStale) throw this.dirtyError();
        await this.resetTo(head);
      }
      try {
        for (const device of prepared) await this.writeDevice(device);
        // an audit-only record (no device) may come before any device exists
        if (prepared.length) await this.git.raw(["add", "-A", "--", "devices"]);
        const changed = await this.changedDevices();
        await this.appendAudit({
          time: new Date().toISOString(),
          kind: meta.kind,
          change: meta.change,
          ...(meta.planHash ? { planHash: meta.planHash } : {}),
          operator: meta.operator,
          ...(meta.message ? { message: meta.message } : {}),
          devices,
          changed,
          host: hostname(),
          pid: process.pid,
          ...(audit !== undefined ? { details: audit } : {}),
        });
        await this.git.raw(["add", "--", AUDIT_FILE]);
        await this.commit(commitMessage(meta, devices, changed), meta.operator);
      } catch (error) {
        if ((await this.head()) !== head) throw error;
        await this.resetTo(head);
        if (error instanceof StoreError) throw error;
        throw new StoreError(
          `recording failed; the store is unchanged at ${head.slice(0, 12)}: ${(error as Error).message.trim()}`,
        );
      }
      return await this.head();
    } finally {
      await lock.release();
    }
  }

  /** Generations of a device, newest first, numbered 1 for the oldest; the newest `keep` unless `all`. */
  async generations(device: string, options: { all?: boolean } = {}): Promise<Generation[]> {
    checkDeviceName(device);
    const all = toGenerations(device, await listCommits(this.git, deviceDir(device) + "/"));
    return options.all ? all : all.slice(0, this.keep);
  }

  /** A generation by number, or the device's state as of a commit (hash or unambiguous prefix). */
  async read(device: string, ref: number | string): Promise<Snapshot> {
    const all = await this.generations(device, { all: true });
    let generation: Generation | undefined;
    if (typeof ref === "number") {
      generation = all.find((g) => g.number === ref);
      if (!generation) throw new StoreError(`device ${device} has no generation ${ref} (it has ${all.length})`);
    } else {
      if (!/^[0-9a-f]{4,64}$/i.test(ref)) throw new StoreError(`"${ref}" is neither a generation number nor a commit hash`);
      const commit = await this.git.raw(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).catch(() => "");
      if (!commit.trim()) throw new StoreError(`no single commit ${ref} in the backup store`);
      const asOf = await listCommits(this.git, deviceDir(device) + "/", commit.trim());
      generation = all.find((g) => g.commit === asOf[0]?.commit);
      if (!generation) throw new StoreError(`device ${device} had no generation yet at commit ${ref}`);
    }
    return this.readGeneration(device, generation);
  }

  async latest(device: string): Promise<Snapshot | undefined> {
    const [newest] = await this.generations(device);
    return newest ? this.readGeneration(device, newest) : undefined;
  }

  /** How many generations a device has (all of them: git keeps every one). */
  async generationCount(device: string): Promise<number> {
    return (await this.generations(device, { all: true })).length;
  }

  /** Reads the newest `keep` generations and checks every hash; returns how many were proven readable. */
  async verify(device: string): Promise<number> {
    const kept = await this.generations(device);
    for (const generation of kept) await this.readGeneration(device, generation);
    return kept.length;
  }

  /** Devices whose configuration a change modified (by apply, rollback or emergency runs; backups do not count). */
  async devicesTouchedBy(change: string): Promise<string[]> {
    const commits = (await listCommits(this.git, "devices/")).filter(
      (c) => c.trailers.get(TRAILER.change) === change && c.trailers.get(TRAILER.kind) !== "backup",
    );
    const devices = new Set<string>();
    for (const c of commits) {
      const names = await this.git.raw(["diff-tree", "--no-commit-id", "--name-only", "-r", "-z", "--root", c.commit, "--", "devices/"]);
      for (const name of names.split("\0")) {
        const device = /^devices\/([^/]+)\//.exec(name)?.[1];
        if (device) devices.add(device);
      }
    }
    return [...devices].sort();
  }

  /**
   * The state of a device just before a change first modified it: the
   * generation preceding the change's first non-backup commit on that device
   * (which is the change's own pre-apply backup when one was taken).
   * Undefined when the change created the device's first generation.
   */
  async stateBefore(change: string, device: string): Promise<Snapshot | undefined> {
    const all = await this.generations(device, { all: true });
    const byChange = all.filter((g) => g.change === change && g.kind !== "backup");
    const first = byChange.at(-1);
    if (!first) throw new StoreError(`change ${change} did not modify device ${device}`);
    const before = all.find((g) => g.number === first.number - 1);
    return before ? this.readGeneration(device, before) : undefined;
  }

  private async readGeneration(device: string, generation: Generation): Promise<Snapshot> {
    const where = `device ${device} generation ${generation.number} (${generation.commit.slice(0, 12)})`;
    const meta = parseDeviceMeta(await this.blob(generation.commit, metaFile(device)), where);
    const artifacts: StoredArtifact[] = [];
    for (const a of meta.artifacts) {
      const content = await this.blob(generation.commit, artifactFile(device, a.id));
      if (sha256(content) !== a.sha256) throw new StoreError(`${where}: artifact ${a.id} does not match its recorded sha256`);
      artifacts.push({ id: a.id, path: a.path, content });
    }
    const snapshot: Snapshot = { generation, artifacts, meta };
    if (meta.running) {
      const running = await this.blob(generation.commit, runningFile(device));
      if (sha256(running) !== meta.running.sha256) throw new StoreError(`${where}: running.txt does not match its recorded sha256`);
      snapshot.running = running;
    }
    return snapshot;
  }

  private async blob(commit: string, file: string): Promise<string> {
    try {
      const bytes = (await this.git.binaryCatFile(["blob", `${commit}:${file}`])) as Buffer;
      return bytes.toString("utf8");
    } catch (error) {
      throw new StoreError(`cannot read ${file} at ${commit.slice(0, 12)}: ${(error as Error).message.trim()}`);
    }
  }

  private async writeDevice(device: PreparedDevice): Promise<void> {
    const dir = join(this.path, deviceDir(device.device));
    // files of this device that the new generation no longer has (a dropped artifact, an absent running config)
    for (const existing of await listFiles(dir)) {
      const file = relative(this.path, existing).split(sep).join("/");
      if (!device.files.has(file)) await unlink(existing);
    }
    for (const [file, content] of device.files) await atomicWrite(this.path, file, content);
  }

  private async appendAudit(line: Record<string, unknown>): Promise<void> {
    const path = join(this.path, AUDIT_FILE);
    const previous = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "";
      throw error;
    });
    const text = JSON.stringify(line);
    assertNoSecrets(text, "audit line");
    await atomicWrite(this.path, AUDIT_FILE, previous + text + "\n");
  }

  private async changedDevices(): Promise<string[]> {
    const out = await this.git.raw(["diff", "--cached", "--name-only", "-z", "--", "devices/"]);
    const names = new Set<string>();
    for (const file of out.split("\0")) {
      const device = /^devices\/([^/]+)\//.exec(file)?.[1];
      if (device) names.add(device);
    }
    return [...names].sort();
  }

  private async commit(message: string, operator: string): Promise<void> {
    const file = join(this.path, ".git", TMP_DIR, `message.${process.pid}.${randomUUID()}`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, message, "utf8");
    try {
      await this.git.raw([
        "commit", "--quiet", "--no-verify", "--no-gpg-sign", "--cleanup=verbatim",
        `--author=${operator} <scconf@localhost>`, "--file", file,
      ]);
    } finally {
      await rm(file, { force: true });
    }
  }

  private async head(): Promise<string> {
    return (await this.git.raw(["rev-parse", "--verify", "HEAD^{commit}"])).trim();
  }

  private async resetTo(head: string): Promise<void> {
    await this.git.raw(["reset", "--quiet", "--hard", head]);
    await this.git.raw(["clean", "-fdq", "--", "devices", AUDIT_FILE]);
  }

  private async dirtyPaths(): Promise<string[]> {
    const out = await this.git.raw(["status", "--porcelain", "-z", "--untracked-files=all", "--", "devices", AUDIT_FILE]);
    return out.split("\0").filter((s) => s.length > 0);
  }

  private dirtyError(): StoreError {
    return new StoreError(
      `the backup store ${this.path} has uncommitted changes under devices/ or in ${AUDIT_FILE}`,
      `inspect them with 'git -C ${this.path} status'; if they are leftovers, 'git -C ${this.path} reset --hard && git -C ${this.path} clean -fd devices'`,
    );
  }

  private lockPath(): string {
    return join(this.path, ".git", "scconf.lock");
  }

  private async redactionKey(): Promise<Buffer> {
    this.key ??= await loadRedactionKey(this.redactionKeyPath);
    return this.key;
  }
}
