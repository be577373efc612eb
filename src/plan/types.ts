// A plan is data: what each device runs now (by hash), what it will run, and
// the diff; saved to a file, reviewed, approved by hash, then applied exactly.
import type { ChangeKind, PlatformName, TransportName } from "../model/kinds.js";
import type { Artifact } from "../model/types.js";
import type { IntentChange } from "./intent.js";

export const PLAN_FORMAT = "scconf-plan/1";

export type ArtifactAction = "create" | "update" | "unchanged";

export interface ArtifactPlan {
  id: string;
  path: string;
  kinds: ChangeKind[];
  format: Artifact["format"];
  action: ArtifactAction;
  /** sha256 of what the device runs now; null when the artifact does not exist there */
  currentHash: string | null;
  desiredHash: string;
  /** the exact content apply pushes */
  desired: string;
  /** unified diff current -> desired ("" when unchanged) */
  diff: string;
  added: number;
  removed: number;
}

export interface DevicePlan {
  device: string;
  platform: PlatformName;
  transport: TransportName;
  /** where "current" came from: the device itself, the last generation (--offline), or the base revision's rendering (review plan) */
  source: "device" | "last-generation" | "none" | "base-revision";
  artifacts: ArtifactPlan[];
  /** hash over the current hashes of all artifacts: apply refuses when the device no longer matches it */
  currentHash: string;
  changed: boolean;
  checkCommand?: string;
  reloadCommand?: string;
}

export interface Plan {
  format: typeof PLAN_FORMAT;
  /** hash over what the plan would do (devices, artifacts, current and desired hashes); approvals name it */
  id: string;
  createdAt: string;
  operator: string;
  inventoryRevision: string;
  today: string;
  offline: boolean;
  devices: DevicePlan[];
  /** intent-level changes since the last applied inventory */
  intentChanges: IntentChange[];
}
