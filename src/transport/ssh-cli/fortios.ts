// FortiOS over its interactive CLI. FortiOS has no candidate and no
// configuration lock; its safety net is the configuration revert mode
// (`config system global` / `set cfg-save revert` / `set cfg-revert-timeout N`):
// changes are active at once but not saved, and unless `execute cfg save`
// comes within N seconds the device returns to the saved configuration (a real
// FortiGate does so by rebooting). So: commit = arm the revert + push the
// artifacts (webfilter and ips before firewall, whose policies name their
// profiles); confirm = `execute cfg save` + back to `cfg-save automatic`;
// discard after commit = `execute cfg reload` (back to the saved
// configuration, a reboot) + reconnect + back to automatic.
// After config/edit/set/next/end the only successful answer is the next
// prompt (and `new entry '<id>' added` after an edit that creates one); the
// prompt's context must be the one the command leads to.
import type { Artifact, Device } from "../../model/types.js";
import { checkFortiosCli, FORTIOS_CHECKER_NAME, FORTIOS_GRAMMAR, tokenize } from "../../render/check/fortios.js";
import {
  DeviceError,
  type ArtifactLocator,
  type CommitOptions,
  type Driver,
  type DriverCapabilities,
  type FetchedArtifact,
  type LockOwner,
  type ValidationResult,
} from "../driver.js";
import { cliCommandLines, FortiosCli, type FortiosConfig, fortiosTablesOf, parseFortiosCli, renderFortiosTables } from "./fortios-config.js";
import { CliSession, type SshCliOptions } from "./session.js";
import { expectExactly, meaningful, type CliReply } from "./shell.js";

/** `FGT # ` or `FGT (context) # `; the context is group 1 */
const FORTIOS_PROMPT = /(?:^|\n)[A-Za-z0-9_.-]+(?: \(([^()\n]*)\))? [#$] $/;
/** profiles before the policies that name them */
const APPLY_ORDER = ["webfilter", "ips", "firewall"];
const RELOAD_QUESTION = /Do you want to continue\? \(y\/n\)\s*$/;

type Phase = "idle" | "staged" | "refused" | "armed" | "committed" | "confirmed";

export class FortiosCliDriver implements Driver {
  /** confirmedCommit and nativeRollback through the revert mode; no candidate, no lock */
  readonly capabilities: DriverCapabilities = { candidate: false, confirmedCommit: true, lock: false, nativeRollback: true };
  private readonly session: CliSession;
  private phase: Phase = "idle";
  private staged: Artifact[] = [];
  /** canonical content of the staged artifacts' paths before the push, to verify a discard */
  private before = new Map<string, string>();

  constructor(
    private readonly spec: Device,
    private readonly options: SshCliOptions,
  ) {
    this.session = new CliSession(spec, options, FORTIOS_PROMPT);
  }

  get device(): string {
    return this.spec.name;
  }

  async connect(): Promise<void> {
    await this.session.open();
  }

  /** FortiOS has no configuration lock: capabilities.lock is false and this does nothing. */
  async lock(_owner: LockOwner): Promise<void> {}

  async unlock(): Promise<void> {}

  async fetch(locators: ArtifactLocator[]): Promise<FetchedArtifact[]> {
    const out: FetchedArtifact[] = [];
    for (const l of locators) out.push({ id: l.id, path: l.path, content: (await this.readCanonical(l.path, "fetch")) || null });
    return out;
  }

  /** FortiOS has no staging area: the artifacts are kept here, in apply order, until commit. */
  async stage(artifacts: Artifact[]): Promise<void> {
    const wrong = artifacts.find((a) => a.format !== "fortios-cli" || fortiosTablesOf(a.path).length === 0);
    if (wrong) throw new DeviceError(this.device, "stage", `not a FortiOS CLI artifact this driver knows: ${wrong.id} (${wrong.format}, ${wrong.path})`);
    const rank = (a: Artifact): number => (APPLY_ORDER.includes(a.id) ? APPLY_ORDER.indexOf(a.id) : APPLY_ORDER.length);
    this.staged = [...artifacts].sort((a, b) => rank(a) - rank(b));
    this.phase = "staged";
  }

  /**
   * There is no device-side check on FortiOS: scconf's structural checker runs
   * here on the staged text, with the names the device already has (for
   * profiles of artifacts that are not part of this change).
   */
  async validate(): Promise<ValidationResult> {
    if (this.phase !== "staged" && this.phase !== "refused") throw new DeviceError(this.device, "validate", `not possible in phase ${this.phase}`);
    const covered = new Set(this.staged.flatMap((a) => fortiosTablesOf(a.path)));
    const names = new Map<string, Set<string>>();
    for (const table of Object.keys(FORTIOS_GRAMMAR).filter((t) => !covered.has(t))) {
      const config = parseFortiosCli(this.checkedShow((await this.session.run(`show ${table}`, "validate")).lines, table, "validate"));
      names.set(table, new Set((config.get(table)?.entries ?? []).map((e) => e.id.text)));
    }
    const defined = { names };
    const problems = this.staged.flatMap((a) => checkFortiosCli(a.content, defined).map((p) => `${a.id}:${p.line}: ${p.message}`));
    this.phase = problems.length === 0 ? "staged" : "refused";
    const output = [`FortiOS has no device-side check; ${FORTIOS_CHECKER_NAME} ran locally.`, ...(problems.length === 0 ? ["no problems"] : problems)].join("\n");
    return { ok: problems.length === 0, output, command: `local: ${FORTIOS_CHECKER_NAME}` };
  }

  async commit(options: CommitOptions): Promise<void> {
    if (this.phase !== "staged") throw new DeviceError(this.device, "commit", `not possible in phase ${this.phase}`);
    this.before = new Map();
    for (const a of this.staged) this.before.set(a.path, await this.readCanonical(a.path, "commit"));
    this.phase = "armed";
    await this.setCfgSave("commit", ["set cfg-save revert", `set cfg-revert-timeout ${Math.max(1, Math.round(options.confirmTimeout))}`]);
    const cli = new FortiosCli(new Map());
    for (const a of this.staged) {
      for (const line of cliCommandLines(a.content)) {
        const t = tokenize(line);
        if ("error" in t) throw new DeviceError(this.device, "commit", `${a.id}: ${t.error}: ${line}`);
        const step = cli.step(t.tokens);
        if (!step.ok) throw new DeviceError(this.device, "commit", `${a.id}: ${step.message}: ${line}`);
        const reply = await this.session.run(line, "commit");
        const expected = step.created !== undefined ? [[], [`new entry '${step.created}' added`]] : [[]];
        const got = meaningful(reply.lines);
        if (!expected.some((e) => e.length === got.length && e.every((x, i) => x === got[i]))) {
          throw new DeviceError(this.device, "commit", `${a.id}: the device refused "${line}": ${got.join(" | ")}`, got.join("\n"));
        }
        this.checkContext(reply, cli.context, line);
      }
    }
    this.phase = "committed";
  }

  async confirm(): Promise<void> {
    if (this.phase !== "committed") throw new DeviceError(this.device, "confirm", `not possible in phase ${this.phase}`);
    await this.expect("confirm", "execute cfg save", [], undefined);
    this.phase = "confirmed";
    await this.setCfgSave("confirm", ["set cfg-save automatic"]);
  }

  async discard(): Promise<void> {
    if (this.phase === "confirmed") throw new DeviceError(this.device, "discard", "the change was saved on the device (confirmed); return to an earlier generation instead");
    if (this.phase === "armed" || this.phase === "committed") {
      await this.reloadSaved();
      for (const [path, before] of this.before) {
        const now = await this.readCanonical(path, "discard");
        if (now !== before) throw new DeviceError(this.device, "discard", `${path} is not as before the change after execute cfg reload`, now);
      }
    }
    this.staged = [];
    this.phase = "idle";
  }

  async close(): Promise<void> {
    await this.session.close();
  }

  /** `execute cfg reload`: the device returns to its saved configuration (a reboot); then reconnect and leave revert mode. */
  private async reloadSaved(): Promise<void> {
    if (this.session.connected) {
      // out of any config block the failed push left open (abort drops the block's unsaved edit)
      for (let i = 0; i < 8; i++) {
        const r = await this.session.run("", "discard", { echo: [] });
        if (r.match[1] === undefined) break;
        await this.session.run("abort", "discard");
      }
      const command = "execute cfg reload";
      const reply = await this.session.run(command, "discard", { until: RELOAD_QUESTION });
      expectExactly(this.device, "discard", command, reply.lines, ["This operation will reboot the system !"]);
      this.session.write("y", "discard");
      await this.session.waitClosed("discard", this.options.commandTimeoutMs * 4);
    }
    await this.session.close();
    await this.session.open();
    await this.setCfgSave("discard", ["set cfg-save automatic"]);
  }

  private async setCfgSave(step: string, lines: readonly string[]): Promise<void> {
    await this.expect(step, "config system global", [], "global");
    for (const line of lines) await this.expect(step, line, [], "global");
    await this.expect(step, "end", [], undefined);
  }

  /** The canonical form of what the device has under an artifact path ("" when it owns nothing there). */
  private async readCanonical(path: string, step: string): Promise<string> {
    const tables = fortiosTablesOf(path);
    if (tables.length === 0) throw new DeviceError(this.device, step, `no FortiOS tables for the path ${path}`);
    const config: FortiosConfig = new Map();
    for (const table of tables) {
      const reply = await this.session.run(`show ${table}`, step);
      parseFortiosCli(this.checkedShow(reply.lines, table, step), config);
    }
    return renderFortiosTables(config, tables, { canonical: true });
  }

  /** `show <table>` must print exactly that table as config text; anything else (a --More-- pager too) fails. */
  private checkedShow(lines: readonly string[], table: string, step: string): string {
    const got = meaningful(lines);
    const text = got.join("\n");
    const wrong = got[0] !== `config ${table}` || got[got.length - 1] !== "end";
    if (!wrong) {
      try {
        parseFortiosCli(text);
        return text;
      } catch {
        // reported below
      }
    }
    throw new DeviceError(this.device, step, `unexpected output of "show ${table}": ${got.slice(0, 3).join(" | ")}`, text);
  }

  private async expect(step: string, command: string, expected: readonly string[], context: string | undefined): Promise<CliReply> {
    const reply = await this.session.run(command, step);
    expectExactly(this.device, step, command, reply.lines, expected);
    this.checkContext(reply, context, command);
    return reply;
  }

  private checkContext(reply: CliReply, context: string | undefined, command: string): void {
    if (reply.match[1] !== context) {
      throw new DeviceError(this.device, "cli", `after "${command}" the prompt shows ${reply.match[1] ?? "no context"}, expected ${context ?? "no context"}`);
    }
  }
}
