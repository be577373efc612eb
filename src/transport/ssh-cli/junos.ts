// Junos over its interactive CLI (for devices where NETCONF is off). The one
// artifact is `groups scconf`, replaced whole: `delete groups scconf`, its set
// lines and `set apply-groups scconf`, loaded with `load set terminal` into
// the candidate of an exclusive configuration session (the lock), checked
// with `commit check`, made active with `commit confirmed <minutes>` and made
// final with `commit`. Every answer is compared with the exact lines Junos
// prints on success (Junos CLI User Guide); anything else is a failure.
import type { Artifact } from "../../model/types.js";
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
} from "../driver.js";
import { expectExactly, meaningful, type CliReply } from "./shell.js";
import { CliSession, type SshCliOptions } from "./session.js";
import { canonicalJunosSet, isGroupLine, junosArtifactLines, JUNOS_APPLY_LINE, JUNOS_DELETE_LINE } from "./junos-set.js";
import type { Device } from "../../model/types.js";

/** `user@host> ` (operational mode) or `user@host# ` (configuration mode), at the end of the output */
const JUNOS_PROMPT = /(?:^|\n)[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+([>#]) $/;
const EDIT = "[edit]";
const SHOW_GROUP = "show configuration groups scconf | display set";
const SHOW_APPLY = 'show configuration | display set | match "^set apply-groups "';

type Phase = "idle" | "staged" | "refused" | "committed" | "confirmed";

/** Junos counts a confirmed commit's timeout in whole minutes: round up, at least 1. */
export function junosConfirmMinutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

export class JunosCliDriver implements Driver {
  readonly capabilities: DriverCapabilities = { candidate: true, confirmedCommit: true, lock: true, nativeRollback: true };
  private readonly session: CliSession;
  private configMode = false;
  private phase: Phase = "idle";
  /** the canonical group before stage and as staged, to verify confirm and discard */
  private before = "";
  private staged = "";

  constructor(
    private readonly spec: Device,
    options: SshCliOptions,
  ) {
    this.session = new CliSession(spec, options, JUNOS_PROMPT);
  }

  get device(): string {
    return this.spec.name;
  }

  async connect(): Promise<void> {
    await this.session.open();
    // no paging and no wrapping: an answer is read whole, up to the prompt
    await this.expect("connect", "set cli screen-length 0", ["Screen length set to 0"]);
    await this.expect("connect", "set cli screen-width 0", ["Screen width set to 0"]);
  }

  /** `configure exclusive`: other users can not commit while this session is in configuration mode. */
  async lock(_owner: LockOwner): Promise<void> {
    if (this.configMode) return;
    const command = "configure exclusive";
    const reply = await this.session.run(command, "lock");
    const lines = meaningful(reply.lines);
    const locked = lines.findIndex((l) => l.startsWith("error: configuration database locked by"));
    if (locked >= 0) {
      const sameLine = lines[locked]!.replace(/^error: configuration database locked by:?\s*/, "");
      const holder = [sameLine, ...lines.slice(locked + 1)].map((l) => l.trim()).filter((l) => l !== "").join("; ");
      throw new LockHeldError(this.device, holder || "another user");
    }
    expectExactly(this.device, "lock", command, reply.lines, ["warning: uncommitted changes will be discarded on exit", "Entering configuration mode", EDIT]);
    this.checkMode(reply, "#", "lock", command);
    this.configMode = true;
  }

  async unlock(): Promise<void> {
    if (!this.configMode) return;
    if (this.phase === "staged" || this.phase === "refused") await this.rollback0("unlock");
    await this.exitConfiguration("unlock");
  }

  async fetch(locators: ArtifactLocator[]): Promise<FetchedArtifact[]> {
    const content = (await this.readGroup("fetch")) || null;
    // the device has one `groups scconf`: every junos-set artifact is that group
    return locators.map((l) => ({ id: l.id, path: l.path, content }));
  }

  async stage(artifacts: Artifact[]): Promise<void> {
    if (artifacts.length !== 1 || artifacts[0]!.format !== "junos-set") {
      throw new DeviceError(this.device, "stage", `a Junos device takes exactly one junos-set artifact (groups ${"scconf"}), got ${artifacts.map((a) => `${a.id}:${a.format}`).join(", ") || "none"}`);
    }
    const { group, applied } = junosArtifactLines(artifacts[0]!.content);
    const outside = group.find((l) => !isGroupLine(l));
    if (outside !== undefined) throw new DeviceError(this.device, "stage", `a line outside groups scconf: ${outside.slice(0, 120)}`);
    await this.lock({ operator: "", change: "", host: "", pid: 0 });
    this.before = await this.readGroup("stage");
    const lines = [JUNOS_DELETE_LINE, ...group, ...(applied ? [JUNOS_APPLY_LINE] : [])];
    const command = "load set terminal";
    const banner = await this.session.run(command, "stage", { until: /\[Type \^D at a new line to end input\]\n$/ });
    expectExactly(this.device, "stage", command, banner.lines, []);
    this.session.write(`${lines.join("\n")}\n\u0004`);
    const reply = await this.session.wait("stage", command, lines);
    this.phase = "staged";
    const got = meaningful(reply.lines);
    if (got.length !== 2 || got[0] !== "load complete" || got[1] !== EDIT) {
      // a load with errors keeps the lines that did load: drop them now
      this.phase = "refused";
      await this.rollback0("stage");
      this.phase = "idle";
      throw new DeviceError(this.device, "stage", `the device refused the configuration: ${got.filter((l) => l !== EDIT).join(" | ")}`, got.join("\n"));
    }
    this.staged = canonicalJunosSet(lines.join("\n"));
  }

  async validate(): Promise<ValidationResult> {
    this.requirePhase("validate", ["staged", "refused"]);
    const command = "commit check";
    const reply = await this.session.run(command, "validate");
    const got = meaningful(reply.lines);
    const ok = got.length === 2 && got[0] === "configuration check succeeds" && got[1] === EDIT;
    this.phase = ok ? "staged" : "refused";
    return { ok, output: got.filter((l) => l !== EDIT).join("\n"), command };
  }

  async commit(options: CommitOptions): Promise<void> {
    this.requirePhase("commit", ["staged"]);
    const minutes = junosConfirmMinutes(options.confirmTimeout);
    const command = `commit confirmed ${minutes}`;
    await this.expect("commit", command, [
      `commit confirmed will be automatically rolled back in ${minutes} minutes unless confirmed`,
      "commit complete",
      `# commit confirmed will be rolled back in ${minutes} minutes`,
      EDIT,
    ]);
    this.phase = "committed";
  }

  async confirm(): Promise<void> {
    this.requirePhase("confirm", ["committed"]);
    await this.expect("confirm", "commit", ["commit complete", EDIT]);
    // a confirm after the automatic rollback commits the rolled-back candidate and still says "commit complete"
    const active = await this.readGroup("confirm");
    if (active !== this.staged) {
      throw new DeviceError(this.device, "confirm", "the active groups scconf is not what was committed: the device had rolled back before the confirm came", active);
    }
    this.phase = "confirmed";
  }

  async discard(): Promise<void> {
    if (this.phase === "committed" || this.phase === "confirmed") {
      const active = await this.readGroup("discard");
      if (active === this.staged && this.staged !== this.before) {
        await this.expect("discard", "rollback 1", ["load complete", EDIT]);
        await this.expect("discard", "commit", ["commit complete", EDIT]);
      }
      const after = await this.readGroup("discard");
      if (after !== this.before) throw new DeviceError(this.device, "discard", "after rollback 1 the active groups scconf is not the one before the change", after);
    } else if (this.configMode) {
      await this.rollback0("discard");
    }
    this.phase = "idle";
    if (this.configMode) await this.exitConfiguration("discard");
  }

  async close(): Promise<void> {
    await this.session.close();
  }

  /** The active group in canonical form ("" when absent); `run` reaches operational commands from configuration mode. */
  private async readGroup(step: string): Promise<string> {
    const prefix = this.configMode ? "run " : "";
    // in configuration mode every answer ends with the "[edit]" banner
    const body = (lines: string[]): string[] => {
      const m = meaningful(lines);
      return this.configMode && m[m.length - 1] === EDIT ? m.slice(0, -1) : m;
    };
    const group = body((await this.session.run(`${prefix}${SHOW_GROUP}`, step)).lines);
    const apply = body((await this.session.run(`${prefix}${SHOW_APPLY}`, step)).lines);
    const stray = [...group.filter((l) => !isGroupLine(l)), ...apply.filter((l) => !l.startsWith("set apply-groups "))];
    if (stray.length > 0) throw new DeviceError(this.device, step, `unexpected output reading groups scconf: ${stray.slice(0, 3).join(" | ")}`, stray.join("\n"));
    return canonicalJunosSet([...group, ...apply.filter((l) => l === JUNOS_APPLY_LINE)].join("\n"));
  }

  private async rollback0(step: string): Promise<void> {
    await this.expect(step, "rollback 0", ["load complete", EDIT]);
  }

  private async exitConfiguration(step: string): Promise<void> {
    const command = "exit configuration-mode";
    const reply = await this.session.run(command, step);
    expectExactly(this.device, step, command, reply.lines, ["Exiting configuration mode"]);
    this.checkMode(reply, ">", step, command);
    this.configMode = false;
  }

  private async expect(step: string, command: string, expected: readonly (string | RegExp)[]): Promise<CliReply> {
    const reply = await this.session.run(command, step);
    expectExactly(this.device, step, command, reply.lines, expected);
    return reply;
  }

  private checkMode(reply: CliReply, mode: ">" | "#", step: string, command: string): void {
    if (reply.match[1] !== mode) throw new DeviceError(this.device, step, `after "${command}" the prompt ends in "${reply.match[1]}", not "${mode}"`);
  }

  private requirePhase(step: string, allowed: readonly Phase[]): void {
    if (!allowed.includes(this.phase)) throw new DeviceError(this.device, step, `not possible in phase ${this.phase}`);
  }
}
