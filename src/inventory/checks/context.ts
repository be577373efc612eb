// What every semantic check receives: the model, the sources to locate
// findings in, and the date that decides expiry (passed in, never read from
// the clock inside a check, so that checks stay pure and testable).
import type { Inventory } from "../../model/types.js";
import type { Diagnostic, PathSegment, Severity } from "../diagnostics.js";
import type { InventorySources } from "../load.js";

export interface CheckOptions {
  /** YYYY-MM-DD in the cloud's time zone */
  today: string;
}

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly sources: InventorySources) {}

  org(orgId: string, severity: Severity, code: string, path: readonly PathSegment[], message: string, hint?: string): void {
    const source = this.sources.orgs.get(orgId);
    if (!source) throw new Error(`no source for org ${orgId}`);
    this.diagnostics.push(source.diagnostic(severity, code, path, message, hint));
  }

  cloud(severity: Severity, code: string, path: readonly PathSegment[], message: string, hint?: string): void {
    this.diagnostics.push(this.sources.cloud.diagnostic(severity, code, path, message, hint));
  }

  /** `index` is the device's position in devices.yaml */
  device(index: number, severity: Severity, code: string, path: readonly PathSegment[], message: string, hint?: string): void {
    this.diagnostics.push(this.sources.devices.diagnostic(severity, code, ["devices", index, ...path], message, hint));
  }

  /** file:line:col of an org path, for messages that point at a second place ("first defined at ...") */
  whereInOrg(orgId: string, path: readonly PathSegment[]): string {
    const source = this.sources.orgs.get(orgId);
    if (!source) return orgId;
    const p = source.locate(path);
    return `${source.file}:${p.line}:${p.column}`;
  }

  /** file:line:col of a cloud.yaml path */
  whereInCloud(path: readonly PathSegment[]): string {
    const p = this.sources.cloud.locate(path);
    return `${this.sources.cloud.file}:${p.line}:${p.column}`;
  }

  /** file:line:col of a path inside devices[index] */
  whereInDevices(index: number, path: readonly PathSegment[] = []): string {
    const p = this.sources.devices.locate(["devices", index, ...path]);
    return `${this.sources.devices.file}:${p.line}:${p.column}`;
  }
}

export interface CheckContext {
  inventory: Inventory;
  options: CheckOptions;
  report: Reporter;
}

/** A semantic check: reads the model, reports findings, returns nothing. */
export type Check = (ctx: CheckContext) => void;
