// The transaction of a file-based device (nginx, squid, bind, postfix ... over
// ssh or on a local root), written once over the Host seam. Such a device has
// no candidate and no confirmed commit of its own, so the driver builds them:
// a staging directory, an atomic rename per file, and a revert timer that runs
// on the device itself and fires unless the confirm arrives in time.
import { createHash, randomBytes } from "node:crypto";
import os from "node:os";
import type { Artifact, Device } from "../model/types.js";
import {
  DeviceError,
  LockHeldError,
  type ArtifactLocator,
  type CommitOptions,
  type Driver,
  type DriverCapabilities,
  type FetchedArtifact,
  type LockOwner,
  type ValidationResult,
} from "./driver.js";
import { expandHome, shQuote, type ExecResult, type Host } from "./file/host.js";
import { REVERT_EXIT, REVERT_SCRIPT } from "./file/revert-script.js";
import {
  commitScript,
  CONFIRM_LOST,
  confirmScript,
  PENDING_JOURNAL,
  prepareStageScript,
  revertNowScript,
  TIMER_NOT_STARTED,
  type Quote,
} from "./file/scripts.js";
import {
  DEFAULT_STATE_DIR,
  describeLeftovers,
  holderText,
  inspectLeftovers,
  statePaths,
  type Journal,
  type JournalEntry,
  type Leftovers,
  type LockRecord,
  type StagedArtifact,
  type StageManifest,
  type StatePaths,
} from "./file/state.js";
import { LocalHost } from "./local.js";
import { SshHost } from "./ssh.js";

export { DEFAULT_STATE_DIR, describeLeftovers, inspectLeftovers } from "./file/state.js";
export type { Journal, JournalEntry, JournalOutcome, Leftovers, LockRecord } from "./file/state.js";
export type { ExecOptions, ExecResult, Host } from "./file/host.js";

export interface FileDriverOptions {
  /** the inventory directory: relative `root` and key files are resolved against it (default: cwd) */
  baseDir?: string;
  /** the state directory as a device path (default /var/lib/scconf; under the root for `local`) */
  stateDir?: string;
  /** per device command: check, reload, and each step of the transaction (default 120 s) */
  commandTimeoutMs?: number;
  /** ssh connect and handshake (default 20 s) */
  connectTimeoutMs?: number;
  /** where auth env vars (socketEnv, passwordEnv) are looked up (default process.env) */
  env?: NodeJS.ProcessEnv;
}

const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");
const ARTIFACT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

type Phase =
  | { name: "idle" }
  | { name: "staged"; staged: StagedArtifact[] }
  | { name: "committed"; staged: StagedArtifact[]; journal: Journal }
  | { name: "confirmed" };

export class FileDeviceDriver implements Driver {
  readonly capabilities: DriverCapabilities = { candidate: true, confirmedCommit: true, lock: true, nativeRollback: false };
  readonly device: string;
  private readonly paths: StatePaths;
  private phase: Phase = { name: "idle" };
  private heldLock: LockRecord | undefined;
  private found: Leftovers | undefined;

  constructor(
    private readonly spec: Device,
    private readonly host: Host,
    stateDir: string = DEFAULT_STATE_DIR,
  ) {
    this.device = spec.name;
    this.paths = statePaths(stateDir);
  }

  /** what a previous run left on the device, as seen at connect */
  get leftovers(): Leftovers | undefined {
    return this.found;
  }

  async connect(): Promise<void> {
    await this.host.connect();
    this.found = await this.inspectLeftovers();
  }

  leftoverNotes(): string[] {
    return this.found ? describeLeftovers(this.found) : [];
  }

  inspectLeftovers(): Promise<Leftovers> {
    return inspectLeftovers(this.host, this.paths.dir);
  }

  async lock(owner: LockOwner): Promise<void> {
    const p = this.paths;
    const record: LockRecord = { ...owner, time: new Date().toISOString(), token: randomBytes(12).toString("hex") };
    // the lock and its owner in one exec, the owner in the command line itself
    // (not stdin, which a lost connection can cut short), and deaf to the
    // hangup of a lost session: otherwise a lock without an owner is left,
    // which nobody can prove stale
    const tmp = this.q(`${p.lock}/.owner.tmp`);
    const taken = await this.run(
      "lock",
      `trap '' HUP
mkdir -p ${this.q(p.dir)} && mkdir ${this.q(p.lock)} 2>/dev/null || exit 0
{ printf '%s\\n' ${shQuote(JSON.stringify(record, null, 2))} > ${tmp} && mv -f ${tmp} ${this.q(p.lockOwner)} && echo acquired; } || rm -rf ${this.q(p.lock)}`,
    );
    if (taken.stdout.trim() !== "acquired") {
      // the holder writes its owner file a moment after its mkdir: an owner
      // missing for a second is a run taking the lock now, not a crashed one
      let holder = await this.readJson<LockRecord>(p.lockOwner);
      for (let i = 0; !holder && i < 10; i++) {
        await new Promise((r) => setTimeout(r, 100));
        holder = await this.readJson<LockRecord>(p.lockOwner);
      }
      throw new LockHeldError(this.device, `${holderText(holder)}${staleHint(holder, this.device)}`);
    }
    this.heldLock = record;
    // checked while holding the lock, so that no other run can be cleaning it up at the same time
    if ((await this.host.readFile(p.journal)) !== null) {
      const found = await this.inspectLeftovers();
      this.found = found;
      await this.unlock();
      throw new DeviceError(
        this.device,
        "lock",
        `a previous run left an unfinished commit: ${describeLeftovers({ ...found, lock: null, staging: null }).join("; ")}; run 'scconf recover ${this.device}'`,
      );
    }
  }

  async unlock(): Promise<void> {
    const mine = this.heldLock;
    if (!mine) return;
    const holder = await this.readJson<LockRecord>(this.paths.lockOwner);
    if (holder?.token !== mine.token) {
      this.heldLock = undefined;
      throw new DeviceError(this.device, "unlock", `the lock is no longer ours (now held by ${holderText(holder)}); left it in place`);
    }
    await this.run("unlock", `rm -rf ${this.q(this.paths.lock)}`);
    this.heldLock = undefined;
  }

  async fetch(artifacts: ArtifactLocator[]): Promise<FetchedArtifact[]> {
    const fetched: FetchedArtifact[] = [];
    for (const artifact of artifacts) {
      const path = this.pathOf(artifact);
      const bytes = await this.host.readFile(path);
      fetched.push({ id: artifact.id, path, content: bytes === null ? null : bytes.toString("utf8") });
    }
    return fetched;
  }

  async stage(artifacts: Artifact[]): Promise<void> {
    if (this.phase.name === "committed") throw new DeviceError(this.device, "stage", "a commit is pending: confirm or discard it first");
    const ids = new Set<string>();
    for (const artifact of artifacts) {
      if (!ARTIFACT_ID.test(artifact.id)) throw new DeviceError(this.device, "stage", `unusable artifact id '${artifact.id}'`);
      if (ids.has(artifact.id)) throw new DeviceError(this.device, "stage", `artifact id '${artifact.id}' appears twice`);
      ids.add(artifact.id);
      this.host.resolve(this.pathOf(artifact)); // rejects relative paths and '..' before anything is written
    }
    const p = this.paths;
    const prepared = await this.host.exec(prepareStageScript(this.quote, p));
    if (prepared.code === PENDING_JOURNAL) {
      throw new DeviceError(this.device, "stage", `a previous run left an unfinished commit (${p.journal}); run 'scconf recover ${this.device}'`);
    }
    if (prepared.code !== 0) throw new DeviceError(this.device, "stage", `cannot prepare ${p.stage} (exit ${prepared.code}): ${prepared.stderr.trim()}`);
    const staged: StagedArtifact[] = [];
    for (const artifact of artifacts) {
      const file = `${p.stage}/${artifact.id}`;
      const bytes = Buffer.from(artifact.content, "utf8");
      await this.host.writeFile(file, bytes);
      const hash = sha256(bytes);
      const back = await this.host.readFile(file);
      if (back === null || sha256(back) !== hash) {
        throw new DeviceError(this.device, "stage", `read-back of the staged ${artifact.id} differs from what was written`);
      }
      staged.push({ id: artifact.id, path: this.pathOf(artifact), sha256: hash });
    }
    const manifest: StageManifest = { createdAt: new Date().toISOString(), artifacts: staged };
    await this.host.writeFile(p.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    this.phase = { name: "staged", staged };
  }

  async validate(): Promise<ValidationResult> {
    if (this.phase.name !== "staged") throw new DeviceError(this.device, "validate", "nothing is staged");
    if (!this.spec.checkCommand) return { ok: true, output: "no device-side check configured", command: "" };
    const command = this.expand(this.spec.checkCommand);
    const result = await this.host.exec(command);
    // the exit code is the only verdict: checkers print "error" in harmless places and stay silent on real failures
    const ok = result.code === 0;
    const output = [`${result.stdout}${result.stderr}`.trimEnd(), ok ? "" : `(exit ${result.code})`].filter(Boolean).join("\n");
    return { ok, output, command };
  }

  async commit(options: CommitOptions): Promise<void> {
    if (this.phase.name !== "staged") throw new DeviceError(this.device, "commit", "nothing is staged");
    const seconds = options.confirmTimeout;
    if (!Number.isInteger(seconds) || seconds < 1) throw new DeviceError(this.device, "commit", `confirmTimeout must be a whole number of seconds >= 1, not ${seconds}`);
    const staged = this.phase.staged;
    const p = this.paths;
    const txid = `${new Date().toISOString().replace(/[-:]|\.\d+/g, "")}-${randomBytes(4).toString("hex")}`;

    const entries: JournalEntry[] = [];
    const previous = new Map<string, Buffer>();
    for (const artifact of staged) {
      const current = await this.host.readFile(artifact.path);
      if (current !== null) previous.set(artifact.id, current);
      entries.push({ id: artifact.id, path: artifact.path, existed: current !== null, previousSha256: current === null ? null : sha256(current), stagedSha256: artifact.sha256 });
    }
    const journal: Journal = { txid, device: this.device, createdAt: new Date().toISOString(), confirmTimeout: seconds, owner: this.heldLock ?? null, entries };

    // 1. the journal, before anything is touched; stage() left an empty prev/
    await this.host.writeFile(p.journal, `${JSON.stringify(journal, null, 2)}\n`);
    try {
      // 2. what the revert needs, verified, so that it restores what was really there
      await this.host.writeFile(p.revertScript, REVERT_SCRIPT);
      await this.host.writeFile(p.reloadScript, this.spec.reloadCommand ? `${this.expand(this.spec.reloadCommand)}\n` : "");
      const list = entries.map((e) => `${e.existed ? "present" : "absent"} ${e.id} ${this.host.resolve(e.path)}`);
      await this.host.writeFile(p.restoreList, `txid ${txid}\n${list.join("\n")}\n`);
      for (const entry of entries) {
        const bytes = previous.get(entry.id);
        if (!bytes) continue;
        const copy = `${p.prev}/${entry.id}`;
        await this.host.writeFile(copy, bytes);
        const back = await this.host.readFile(copy);
        if (back === null || sha256(back) !== entry.previousSha256) throw new DeviceError(this.device, "commit", `the saved copy of ${entry.path} differs from the file`);
      }
    } catch (err) {
      await this.dropJournal();
      throw err;
    }

    // 3. the timer, then the swap (one exec): per file a copy next to the target and a rename over it
    this.phase = { name: "committed", staged, journal };
    const swap = await this.host.exec(commitScript(this.quote, p, journal)).catch((err: unknown) => this.failCommit(journal, "commit", err));
    if (swap.code === TIMER_NOT_STARTED) {
      // nothing is touched yet: drop the journal so that the device does not look half-committed
      this.phase = { name: "staged", staged };
      await this.dropJournal();
      throw new DeviceError(this.device, "commit", "the revert timer did not start on the device; nothing was changed", swap.stderr.trim());
    }
    if (swap.code !== 0) await this.failCommit(journal, "commit", new DeviceError(this.device, "commit", `installing the files failed (exit ${swap.code}): ${swap.stderr.trim()}`));

    // 4. the reload; a device that refuses the new files goes back to the old ones now
    if (this.spec.reloadCommand) {
      const command = this.expand(this.spec.reloadCommand);
      const reload = await this.host.exec(command).catch((err: unknown) => this.failCommit(journal, "reload", err));
      if (reload.code !== 0) {
        const output = `${reload.stdout}${reload.stderr}`.trim();
        await this.failCommit(journal, "reload", new DeviceError(this.device, "reload", `'${command}' failed (exit ${reload.code})`, output));
      }
    }
  }

  async confirm(): Promise<void> {
    if (this.phase.name !== "committed") throw new DeviceError(this.device, "confirm", "no commit is pending");
    const { staged, journal } = this.phase;
    const p = this.paths;
    const won = await this.run("confirm", confirmScript(this.quote, p, journal.txid), [0, CONFIRM_LOST]);
    if (won.code === CONFIRM_LOST) {
      // the timer decided first: the device is (being) reverted; finish that cleanly and say so
      await this.revertNow(journal);
      this.phase = { name: "idle" };
      throw new DeviceError(this.device, "confirm", `the confirm came after the revert timer (${journal.confirmTimeout} s) fired: the previous configuration is back`);
    }
    this.phase = { name: "confirmed" };
    const current = await this.fetch(staged);
    const differing = staged.filter((artifact, i) => {
      const content = current[i]?.content;
      return content == null || sha256(Buffer.from(content, "utf8")) !== artifact.sha256;
    });
    if (differing.length > 0) {
      throw new DeviceError(this.device, "confirm", `after the commit the device holds other content than was staged: ${differing.map((a) => a.path).join(", ")}`);
    }
  }

  async discard(): Promise<void> {
    switch (this.phase.name) {
      case "committed":
        await this.revertNow(this.phase.journal);
        this.phase = { name: "idle" };
        return;
      case "confirmed":
        // final by definition: going back is a rollback to an earlier generation, not a discard
        return;
      default:
        // the staging area is ours to remove only while we hold the lock (a
        // half-finished stage included); otherwise it may be the lock holder's
        if (this.phase.name === "staged" || this.heldLock) {
          await this.run("discard", `rm -rf ${this.q(this.paths.stage)}`);
        }
        this.phase = { name: "idle" };
    }
  }

  async close(): Promise<void> {
    await this.host.close();
  }

  /** A commit step failed after the timer was armed: revert now, then report the step's error. */
  private async failCommit(journal: Journal, step: string, cause: unknown): Promise<never> {
    const reason = cause instanceof Error ? cause.message : String(cause);
    try {
      await this.revertNow(journal);
    } catch (revertError) {
      if (revertError instanceof ReloadAfterRevertFailed) {
        // the files are back (read back) and the timer is stopped: only the service is in doubt
        this.phase = { name: "idle" };
        const bare = cause instanceof DeviceError ? reason.slice(`${cause.device}: ${cause.step}: `.length) : reason;
        throw new DeviceError(this.device, step, `${bare}; the previous files were restored (read back), but reloading them failed too: check the service`, revertError.detail);
      }
      throw new DeviceError(
        this.device,
        step,
        `${reason}; reverting at once failed too (${(revertError as Error).message}); the revert timer restores the previous files within ${journal.confirmTimeout} s`,
      );
    }
    this.phase = { name: "idle" };
    const bare = cause instanceof DeviceError ? reason.slice(`${cause.device}: ${cause.step}: `.length) : reason;
    throw new DeviceError(this.device, cause instanceof DeviceError ? cause.step : step, `${bare}; the previous configuration was restored`, cause instanceof DeviceError ? cause.detail : undefined);
  }

  /** Runs the revert script now, checks by read-back that the previous files are back, and cleans up. */
  private async revertNow(journal: Journal): Promise<void> {
    const p = this.paths;
    const result = await this.host.exec(revertNowScript(this.quote, p, journal.txid, [REVERT_EXIT.reverted, REVERT_EXIT.reloadFailed]));
    if (result.code === REVERT_EXIT.alreadyConfirmed) throw new DeviceError(this.device, "revert", "the commit was already confirmed; use a rollback");
    if (result.code !== REVERT_EXIT.reverted && result.code !== REVERT_EXIT.reloadFailed) {
      throw new DeviceError(this.device, "revert", `the revert script failed (exit ${result.code}): ${`${result.stdout}${result.stderr}`.trim()}`);
    }
    const wrong: string[] = [];
    for (const entry of journal.entries) {
      const bytes = await this.host.readFile(entry.path);
      const ok = entry.existed ? bytes !== null && sha256(bytes) === entry.previousSha256 : bytes === null;
      if (!ok) wrong.push(entry.path);
    }
    if (wrong.length > 0) throw new DeviceError(this.device, "revert", `after the revert these files are not the previous ones: ${wrong.join(", ")}`);
    await this.run("revert", `rm -rf ${this.q(p.prev)} ${this.q(p.journal)} ${this.q(p.stage)}`);
    this.phase = { name: "idle" };
    if (result.code === REVERT_EXIT.reloadFailed) {
      throw new ReloadAfterRevertFailed(this.device, result.stdout.trim());
    }
  }

  /** Removes the journal of a commit that touched nothing. */
  private async dropJournal(): Promise<void> {
    await this.run("commit", `rm -f ${this.q(this.paths.journal)} ${this.q(this.paths.restoreList)}`).catch(() => undefined);
  }

  /** Runs an internal step; any exit code outside `accept` is a DeviceError. */
  private async run(step: string, command: string, accept: number[] = [0]): Promise<ExecResult> {
    const result = await this.host.exec(command);
    if (!accept.includes(result.code)) {
      throw new DeviceError(this.device, step, `command failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
    }
    return result;
  }

  private async readJson<T>(devicePath: string): Promise<T | null> {
    const bytes = await this.host.readFile(devicePath);
    if (!bytes) return null;
    try {
      // written by this driver; anything unparsable is treated as absent, never trusted
      return JSON.parse(bytes.toString("utf8")) as T;
    } catch {
      return null;
    }
  }

  /** A device path as a quoted word for this host's shell. */
  private readonly quote: Quote = (devicePath) => shQuote(this.host.resolve(devicePath));
  private q(devicePath: string): string {
    return this.quote(devicePath);
  }

  private pathOf(artifact: ArtifactLocator): string {
    return this.spec.paths[artifact.id] ?? artifact.path;
  }

  /** Placeholders become quoted words: {stage} (also {dir}) the staging directory, {root} the local root or "". */
  private expand(command: string): string {
    const stage = this.q(this.paths.stage);
    const root = shQuote(this.host.root);
    return command.replaceAll("{stage}", stage).replaceAll("{dir}", stage).replaceAll("{root}", root);
  }
}

/** The driver for a `local` or `ssh` device. */
export function createFileDriver(device: Device, options: FileDriverOptions = {}): FileDeviceDriver {
  const baseDir = options.baseDir ?? process.cwd();
  const commandTimeoutMs = options.commandTimeoutMs ?? 120_000;
  let host: Host;
  switch (device.transport) {
    case "local":
      if (!device.root) throw new DeviceError(device.name, "connect", "a local device needs 'root' in the inventory");
      host = new LocalHost(device.name, { root: expandHome(device.root, baseDir), commandTimeoutMs });
      break;
    case "ssh":
      host = new SshHost(device, { baseDir, commandTimeoutMs, connectTimeoutMs: options.connectTimeoutMs ?? 20_000, env: options.env ?? process.env });
      break;
    default:
      throw new DeviceError(device.name, "connect", `transport '${device.transport}' is not a file device`);
  }
  return new FileDeviceDriver(device, host, options.stateDir ?? DEFAULT_STATE_DIR);
}

/** The revert restored the previous files (read back), but the reload after it failed. */
class ReloadAfterRevertFailed extends DeviceError {
  constructor(device: string, detail: string) {
    super(device, "revert", "the previous files are back, but reloading them failed", detail);
    this.name = "ReloadAfterRevertFailed";
  }
}

/** Says so when the lock's holder is provably gone (a process of this host that no longer exists), or cannot be known. */
function staleHint(holder: LockRecord | null, device: string): string {
  if (!holder) return `; if no run is working on the device, run 'scconf recover ${device} --force'`;
  if (holder.host !== os.hostname()) return "";
  try {
    process.kill(holder.pid, 0);
    return "";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EPERM") return "";
    return `; that process no longer exists (a crashed or killed run): run 'scconf recover ${device}'`;
  }
}

/** A lock owner for this process, for callers that have no better one. */
export function currentLockOwner(change: string, operator = os.userInfo().username): LockOwner {
  return { operator, change, host: os.hostname(), pid: process.pid };
}
