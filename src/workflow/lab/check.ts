// `scconf lab check DEVICE-FILE STAGE`: the device-side check of a lab
// stand-in. It runs the platform's local checker harness (the one `scconf
// render --check` uses) on what the device would run after the commit: the
// staged artifacts, and the installed ones for artifacts not staged (a
// transaction stages only what changes). The exit code is the verdict.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PlatformName } from "../../model/kinds.js";
import type { DeviceConfig } from "../../model/types.js";
import { LOCAL_CHECKERS } from "../../render/check/index.js";
import type { CheckOutcome } from "../../render/check/types.js";
import type { LabArtifact } from "./stand-ins.js";

export interface CheckFile {
  device: string;
  platform: PlatformName;
  artifacts: LabArtifact[];
}

export interface LabCheckResult {
  ok: boolean;
  outcomes: CheckOutcome[];
}

export async function runLabCheck(checkFile: string, stageDir: string): Promise<LabCheckResult> {
  const spec = JSON.parse(readFileSync(checkFile, "utf8")) as CheckFile;
  const checker = LOCAL_CHECKERS[spec.platform];
  if (!checker) return { ok: false, outcomes: [{ device: spec.device, checked: false, ok: false, tool: "", output: `no checker for ${spec.platform}` }] };
  const artifacts: DeviceConfig["artifacts"] = [];
  for (const a of spec.artifacts) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(a.id)) throw new Error(`unusable artifact id ${a.id}`);
    const staged = join(stageDir, a.id);
    const source = existsSync(staged) ? staged : existsSync(a.labPath) ? a.labPath : undefined;
    if (!source) continue; // neither staged nor installed: the device will not have it
    artifacts.push({ id: a.id, path: a.labPath, content: readFileSync(source, "utf8"), kinds: a.kinds, format: a.format });
  }
  const scratch = mkdtempSync(join(tmpdir(), "scconf-lab-check-"));
  try {
    const outcomes = await checker.check({ device: spec.device, platform: spec.platform, artifacts }, scratch);
    // "not checked" is not a pass
    return { ok: outcomes.length > 0 && outcomes.every((o) => o.checked && o.ok), outcomes };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
