// The seam that keeps plan/apply vendor-free (compare NAPALM's base driver).
// The apply pipeline is written once against this interface and chooses the
// safe path from the declared capabilities, never by trying.
import type { Artifact } from "../model/types.js";

export interface DriverCapabilities {
  /** changes are staged in a candidate and only take effect on commit */
  candidate: boolean;
  /** commit can be made conditional: it reverts by itself unless confirmed in time */
  confirmedCommit: boolean;
  /** the device can be locked against other operators */
  lock: boolean;
  /** the device keeps its own previous configuration and can return to it */
  nativeRollback: boolean;
}

/** Where an artifact lives on the device, without its content. */
export interface ArtifactLocator {
  id: string;
  path: string;
}

export interface FetchedArtifact extends ArtifactLocator {
  /** null when the artifact does not exist on the device */
  content: string | null;
}

export interface ValidationResult {
  ok: boolean;
  /** what the device-side checker said (stdout + stderr, or rpc-errors) */
  output: string;
  /** the command or RPC that was run, for the record */
  command: string;
}

export interface LockOwner {
  operator: string;
  /** the change or plan id */
  change: string;
  host: string;
  pid: number;
}

export interface CommitOptions {
  /** seconds after which an unconfirmed commit reverts on the device by itself */
  confirmTimeout: number;
}

/** A step that failed and left the device in a known state (the caller may report and go on). */
export class DeviceError extends Error {
  constructor(
    readonly device: string,
    readonly step: string,
    message: string,
    readonly detail?: string,
  ) {
    super(`${device}: ${step}: ${message}`);
    this.name = "DeviceError";
  }
}

/** Another operator (or a crashed run) holds the device lock. */
export class LockHeldError extends DeviceError {
  constructor(device: string, readonly holder: string) {
    super(device, "lock", `the device is locked by ${holder}`);
    this.name = "LockHeldError";
  }
}

/** The host key the device presented is not the pinned one (or none is pinned). */
export class HostKeyError extends DeviceError {
  constructor(device: string, readonly seen: string, readonly expected: string | undefined) {
    super(
      device,
      "connect",
      expected
        ? `host key mismatch: the device presented ${seen}, the inventory pins ${expected}`
        : `unknown host key ${seen}: no key is pinned; check it and run 'scconf trust ${device}'`,
    );
    this.name = "HostKeyError";
  }
}

/**
 * One connection to one device. Methods are called in this order by apply:
 * connect, lock, fetch, stage, validate, commit, (post-checks), confirm, unlock, close.
 * discard may be called at any point after stage to return to the previous state.
 */
export interface Driver {
  readonly device: string;
  readonly capabilities: DriverCapabilities;
  connect(): Promise<void>;
  lock(owner: LockOwner): Promise<void>;
  unlock(): Promise<void>;
  /** the current content of the given artifacts on the device */
  fetch(artifacts: ArtifactLocator[]): Promise<FetchedArtifact[]>;
  /** the device's full running configuration, for audit (may be absent) */
  fetchRunning?(): Promise<string>;
  /** what an earlier run left on the device (a lock, an unfinished commit, staged files), seen at connect; [] when clean */
  leftoverNotes?(): string[];
  /** upload the artifacts to the staging area (candidate); nothing takes effect */
  stage(artifacts: Artifact[]): Promise<void>;
  /** run the device-side check on the staged artifacts */
  validate(): Promise<ValidationResult>;
  /** make the staged artifacts active, with a revert timer armed on the device */
  commit(options: CommitOptions): Promise<void>;
  /** disarm the revert timer: the change is final */
  confirm(): Promise<void>;
  /** drop staged changes; after an unconfirmed commit, revert to the previous state now */
  discard(): Promise<void>;
  close(): Promise<void>;
}
