// The NETCONF driver: candidate + confirmed commit + lock, for devices that
// speak RFC 6241 (netconfd/yuma123 in the lab). Every commit is read back,
// because yuma123 can answer <ok/> and still have dropped the edit.
import { readFile } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import type { Artifact, Device } from "../../model/types.js";
import {
  DeviceError,
  HostKeyError,
  LockHeldError,
  type ArtifactLocator,
  type CommitOptions,
  type Driver,
  type DriverCapabilities,
  type FetchedArtifact,
  type LockOwner,
  type ValidationResult,
} from "../driver.js";
import {
  DEFAULT_NAMESPACES,
  DEFAULT_ORDERED_BY_USER,
  asReplace,
  canonicalSubtree,
  parseArtifactContent,
  parseNetconfPath,
  sameSubtree,
  subtreeFilter,
  withoutOperation,
  type SubtreeLocator,
} from "./artifacts.js";
import { HostKeyMismatch, NetconfClient, type NetconfAuth, type NetconfConnectOptions } from "./client.js";
import { RpcFailedError, formatRpcErrors, type RpcError } from "./messages.js";
import { child, writeXml, type XmlElement } from "./xml.js";

const CONFIRMED_COMMIT_11 = "urn:ietf:params:netconf:capability:confirmed-commit:1.1";
const ROLLBACK_ON_ERROR = "urn:ietf:params:netconf:capability:rollback-on-error:1.0";

export interface NetconfDriverOptions {
  /** where auth secrets come from (key passphrase is not supported); default process.env */
  env?: NodeJS.ProcessEnv;
  /** directory a relative auth.keyFile is resolved against; default the working directory */
  baseDir?: string;
  connectTimeoutMs?: number;
  rpcTimeoutMs?: number;
  /** namespaces of owned top-level containers; default { acls: "urn:scconf:acl" } */
  namespaces?: Record<string, string>;
  /** ordered-by-user list names, whose entry order counts in read-back comparison; default ["ace"] */
  orderedByUser?: string[];
  /** for tests: the stream to run SSH over instead of a new TCP connection */
  sock?: NetconfConnectOptions["sock"];
}

/** "refused": the device rejected the staged data as invalid; validate() reports it, commit() refuses */
type Phase = "idle" | "staged" | "refused" | "committed" | "confirmed";

/**
 * rpc-error tags by which a server says "this data does not fit the model".
 * netconfd checks types, patterns and mandatory leaves already at edit-config,
 * so such a refusal is a validation result, not a device failure.
 */
const DATA_ERROR_TAGS = new Set([
  "invalid-value",
  "missing-element",
  "bad-element",
  "unknown-element",
  "unknown-namespace",
  "missing-attribute",
  "bad-attribute",
  "unknown-attribute",
  "data-missing",
  "data-exists",
]);

interface Staged {
  artifact: Artifact;
  loc: SubtreeLocator;
  /** the desired subtree (without nc:operation) */
  desired: XmlElement;
  /** running before the change, for discard's verification; undefined when absent */
  before: XmlElement | undefined;
}

export class NetconfDriver implements Driver {
  readonly capabilities: DriverCapabilities = { candidate: true, confirmedCommit: true, lock: true, nativeRollback: true };
  readonly device: string;
  private client: NetconfClient | null = null;
  private phase: Phase = "idle";
  private staged: Staged[] = [];
  /** the rpc-errors of an edit-config that refused the data */
  private refusal: RpcError[] = [];
  private candidateLocked = false;
  /** epoch ms when the device's revert timer of the last confirmed commit fires */
  private revertDue = 0;
  private readonly namespaces: Record<string, string>;
  private readonly orderedByUser: ReadonlySet<string>;

  constructor(
    private readonly config: Device,
    private readonly options: NetconfDriverOptions = {},
  ) {
    this.device = config.name;
    this.namespaces = { ...DEFAULT_NAMESPACES, ...options.namespaces };
    this.orderedByUser = new Set(options.orderedByUser ?? DEFAULT_ORDERED_BY_USER);
  }

  /** the server's capabilities, once connected (for reports) */
  get serverCapabilities(): readonly string[] {
    return this.client?.serverCapabilities ?? [];
  }

  async connect(): Promise<void> {
    if (this.client && !this.client.closed) return;
    const d = this.config;
    if (!d.address) throw new DeviceError(d.name, "connect", "the inventory gives no address");
    if (!d.user) throw new DeviceError(d.name, "connect", "the inventory gives no user");
    const auth = await this.auth();
    try {
      this.client = await NetconfClient.connect({
        host: d.address,
        port: d.port ?? 830,
        username: d.user,
        auth,
        hostKey: d.hostKey,
        ...(this.options.connectTimeoutMs ? { connectTimeoutMs: this.options.connectTimeoutMs } : {}),
        ...(this.options.rpcTimeoutMs ? { rpcTimeoutMs: this.options.rpcTimeoutMs } : {}),
        ...(this.options.sock ? { sock: this.options.sock } : {}),
      });
    } catch (e) {
      if (e instanceof HostKeyMismatch) throw new HostKeyError(d.name, e.seen, e.expected);
      throw this.wrap("connect", e);
    }
    this.phase = "idle";
    this.staged = [];
    this.candidateLocked = false;
  }

  private async auth(): Promise<NetconfAuth> {
    const a = this.config.auth;
    const env = this.options.env ?? process.env;
    if (!a) throw new DeviceError(this.device, "connect", "the inventory gives no auth method");
    if (a.method === "key") {
      const file = resolvePath(this.options.baseDir ?? ".", a.keyFile);
      try {
        return { privateKey: await readFile(file) };
      } catch (e) {
        throw new DeviceError(this.device, "connect", `cannot read the key file ${file}`, String(e));
      }
    }
    const name = a.method === "agent" ? a.socketEnv : a.passwordEnv;
    const value = env[name];
    if (!value) throw new DeviceError(this.device, "connect", `the environment variable ${name} is not set`);
    return a.method === "agent" ? { agent: value } : { password: value };
  }

  /**
   * Locks the candidate, never running: when a confirmed commit times out
   * while running is locked, yuma123 fails the revert and keeps the change.
   * NETCONF locks carry no owner text, so `owner` cannot be recorded on the
   * device; the holder reported on conflict is the NETCONF session id.
   */
  async lock(_owner: LockOwner): Promise<void> {
    const client = this.session("lock");
    if (this.candidateLocked) return;
    try {
      await client.lock("candidate");
    } catch (e) {
      if (e instanceof RpcFailedError && e.hasTag("lock-denied")) {
        const holder = e.errors.find((x) => x.tag === "lock-denied")?.info["session-id"];
        throw new LockHeldError(this.device, holder ? `NETCONF session ${holder}` : "another NETCONF session");
      }
      throw this.wrap("lock", e);
    }
    this.candidateLocked = true;
  }

  async unlock(): Promise<void> {
    if (!this.candidateLocked) return;
    const client = this.session("unlock");
    await client.unlock("candidate").catch((e: unknown) => {
      throw this.wrap("unlock", e);
    });
    this.candidateLocked = false;
  }

  async fetch(artifacts: ArtifactLocator[]): Promise<FetchedArtifact[]> {
    const result: FetchedArtifact[] = [];
    for (const a of artifacts) {
      const loc = this.locate("fetch", a.path);
      const el = await this.readRunning("fetch", loc);
      result.push({ id: a.id, path: a.path, content: canonicalSubtree(el) });
    }
    return result;
  }

  async fetchRunning(): Promise<string> {
    const client = this.session("fetch-running");
    const data = await client.getConfig("running").catch((e: unknown) => {
      throw this.wrap("fetch-running", e);
    });
    return `${writeXml(data, { pretty: true })}\n`;
  }

  async stage(artifacts: Artifact[]): Promise<void> {
    const client = this.session("stage");
    const staged: Staged[] = artifacts.map((artifact) => {
      const loc = this.locate("stage", artifact.path);
      try {
        return { artifact, loc, desired: withoutOperation(parseArtifactContent(artifact.content, loc)), before: undefined };
      } catch (e) {
        throw new DeviceError(this.device, "stage", `artifact ${artifact.id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    if (!this.candidateLocked) await this.lock({ operator: "", change: "", host: "", pid: process.pid });
    for (const s of staged) s.before = await this.readRunning("stage", s.loc);
    // start from running: whatever an earlier session left in the candidate is not ours to commit
    await client.discardChanges().catch((e: unknown) => {
      throw this.wrap("stage", e);
    });
    const edit = staged.map((s) => writeXml(asReplace(s.desired), { pretty: false })).join("");
    this.staged = staged;
    this.refusal = [];
    try {
      await client.editConfig("candidate", edit, { rollbackOnError: client.hasCapability(ROLLBACK_ON_ERROR) });
      this.phase = "staged";
    } catch (e) {
      const refusedData = e instanceof RpcFailedError && e.errors.every((x) => x.severity === "warning" || DATA_ERROR_TAGS.has(x.tag));
      if (!refusedData) throw this.wrap("stage", e);
      this.refusal = e.errors;
      this.phase = "refused";
      // rollback-on-error left the candidate as it was; make sure of it
      await client.discardChanges().catch((x: unknown) => {
        throw this.wrap("stage", x);
      });
    }
  }

  /**
   * Validates an inline copy of the staged subtrees, not the candidate:
   * yuma123 answers <ok/> to a <commit> after <validate> of the candidate
   * and silently drops the validated edits.
   */
  async validate(): Promise<ValidationResult> {
    const client = this.session("validate");
    const paths = this.staged.map((s) => s.artifact.path).join(" ");
    if (this.phase === "refused") {
      return { ok: false, output: formatRpcErrors(this.refusal), command: `<edit-config> of ${paths} into the candidate` };
    }
    if (this.phase !== "staged") throw new DeviceError(this.device, "validate", "nothing is staged");
    const config = this.staged.map((s) => writeXml(s.desired, { pretty: false })).join("");
    const command = `<validate><source><config> ${paths} </config></source></validate>`;
    try {
      const reply = await client.validateConfig(config);
      return { ok: true, output: formatRpcErrors(reply.errors), command };
    } catch (e) {
      if (e instanceof RpcFailedError) return { ok: false, output: formatRpcErrors(e.errors), command };
      throw this.wrap("validate", e);
    }
  }

  async commit(options: CommitOptions): Promise<void> {
    const client = this.session("commit");
    if (this.phase === "refused") throw new DeviceError(this.device, "commit", "the device refused the staged data", formatRpcErrors(this.refusal));
    if (this.phase !== "staged") throw new DeviceError(this.device, "commit", "nothing is staged");
    await client.commit({ confirmed: true, confirmTimeout: options.confirmTimeout }).catch((e: unknown) => {
      throw this.wrap("commit", e);
    });
    this.phase = "committed";
    this.revertDue = Date.now() + options.confirmTimeout * 1000;
    const mismatch = await this.readBackMismatch("commit", (s) => s.desired);
    if (mismatch) {
      // running is not what was sent: revert now rather than leave it armed
      let reverted = "the change was reverted";
      try {
        await this.discard();
      } catch (e) {
        reverted = `reverting failed (${e instanceof Error ? e.message : String(e)}); the device reverts by itself after ${options.confirmTimeout} s`;
      }
      throw new DeviceError(this.device, "commit", `running differs from what was committed; ${reverted}`, mismatch);
    }
  }

  async confirm(): Promise<void> {
    const client = this.session("confirm");
    if (this.phase !== "committed") throw new DeviceError(this.device, "confirm", "there is no unconfirmed commit");
    await client.commit().catch((e: unknown) => {
      throw this.wrap("confirm", e);
    });
    this.phase = "confirmed";
    const mismatch = await this.readBackMismatch("confirm", (s) => s.desired);
    if (mismatch) throw new DeviceError(this.device, "confirm", "after the confirming commit, running differs from what was committed", mismatch);
  }

  /**
   * Before commit: drops the candidate. After an unconfirmed commit: reverts
   * running now with <cancel-commit/> (:confirmed-commit:1.1), or else waits
   * for the device's own timer, and checks that running is back as before.
   */
  async discard(): Promise<void> {
    const client = this.session("discard");
    if (this.phase === "confirmed") {
      throw new DeviceError(this.device, "discard", "the change is already confirmed; return to the previous generation with a new change");
    }
    const wasCommitted = this.phase === "committed";
    try {
      if (wasCommitted && client.hasCapability(CONFIRMED_COMMIT_11)) await client.cancelCommit();
      await client.discardChanges();
    } catch (e) {
      throw this.wrap("discard", e);
    }
    if (wasCommitted) {
      const mismatch = client.hasCapability(CONFIRMED_COMMIT_11)
        ? await this.readBackMismatch("discard", (s) => s.before)
        : await this.waitForRevert();
      if (mismatch) throw new DeviceError(this.device, "discard", "running did not return to its previous state", mismatch);
    }
    this.phase = "idle";
    this.staged = [];
    this.refusal = [];
  }

  /**
   * Without cancel-commit, the server's own timer does the revert: poll until
   * it has. Sparingly and with slack: netconfd checks the timer only after a
   * second without any socket activity, so a busy server reverts late.
   */
  private async waitForRevert(): Promise<string | null> {
    const deadline = this.revertDue + 30_000;
    for (;;) {
      const mismatch = await this.readBackMismatch("discard", (s) => s.before);
      if (!mismatch || Date.now() > deadline) return mismatch;
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.candidateLocked = false;
    // without <persist>, closing the session reverts an unconfirmed commit: the safe direction
    if (client) await client.close();
  }

  // ───────────────────────── helpers ─────────────────────────

  private session(step: string): NetconfClient {
    if (!this.client || this.client.closed) throw new DeviceError(this.device, step, "not connected");
    return this.client;
  }

  private locate(step: string, path: string): SubtreeLocator {
    try {
      return parseNetconfPath(path, this.namespaces);
    } catch (e) {
      throw new DeviceError(this.device, step, e instanceof Error ? e.message : String(e));
    }
  }

  private async readRunning(step: string, loc: SubtreeLocator): Promise<XmlElement | undefined> {
    const client = this.session(step);
    const data = await client.getConfig("running", subtreeFilter(loc)).catch((e: unknown) => {
      throw this.wrap(step, e);
    });
    return child(data, loc.local, loc.ns);
  }

  /** null when running holds what `expected` says for every staged artifact, else a description of the difference */
  private async readBackMismatch(step: string, expected: (s: Staged) => XmlElement | undefined): Promise<string | null> {
    const diffs: string[] = [];
    for (const s of this.staged) {
      const seen = await this.readRunning(step, s.loc);
      const want = expected(s);
      if (!sameSubtree(seen, want, this.orderedByUser)) {
        diffs.push(`${s.artifact.path}: expected\n${canonicalSubtree(want) ?? "(absent)\n"}running has\n${canonicalSubtree(seen) ?? "(absent)\n"}`);
      }
    }
    return diffs.length > 0 ? diffs.join("\n") : null;
  }

  private wrap(step: string, e: unknown): DeviceError {
    if (e instanceof DeviceError) return e;
    if (e instanceof RpcFailedError) return new DeviceError(this.device, step, e.message, formatRpcErrors(e.errors));
    return new DeviceError(this.device, step, e instanceof Error ? e.message : String(e));
  }
}

export function createNetconfDriver(device: Device, options: NetconfDriverOptions = {}): NetconfDriver {
  if (device.transport !== "netconf") throw new Error(`${device.name}: transport is ${device.transport}, not netconf`);
  return new NetconfDriver(device, options);
}

