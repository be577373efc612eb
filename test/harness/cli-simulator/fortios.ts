// A FortiOS CLI simulator (test-only, NOT FortiOS): only what scconf's ssh-cli
// driver uses. Prompt `FGT # `, `FGT (<table or id>) # ` inside config/edit;
// config/edit/set/unset/next/end/move/delete/abort over the tables of
// FORTIOS_GRAMMAR (each line checked with scconf's structural checker in its
// context; a bad line answers `command parse error before '<word>'` +
// `Command fail. Return code -61`, an unknown reference `entry not found in
// datasource` + `value parse error before '<value>'` + `Command fail. Return
// code -3`); `new entry '<id>' added` when edit creates one; `show <table>`;
// `config system global` with cfg-save and cfg-revert-timeout;
// `execute cfg save`; `execute cfg reload` (asks (y/n)). Changes are active at
// once. In revert mode the first unsaved change starts the timer; when it
// runs out, or on a reload, the running configuration becomes the saved one
// again and every session is closed (a real FortiGate reboots).
import { checkFortiosCli, FORTIOS_GRAMMAR, tokenize, type TableSpec } from "../../../src/render/check/fortios.js";
import { FortiosCli, parseFortiosCli, quoteToken, renderFortiosTables, type FortiosConfig } from "../../../src/transport/ssh-cli/fortios-config.js";
import { startCliServer, type CliHandler, type CliServer, type Terminal } from "./server.js";

const SYSTEM_GLOBAL: TableSpec = {
  kind: "single",
  keys: { "cfg-save": { kind: "enum", values: ["automatic", "manual", "revert"] }, "cfg-revert-timeout": { kind: "int", min: 10 }, hostname: { kind: "str" } },
};
const GRAMMAR: Record<string, TableSpec> = { ...FORTIOS_GRAMMAR, "system global": SYSTEM_GLOBAL };
const CHANGES = new Set(["set", "unset", "delete", "move"]);

export interface FortiosSimulatorOptions {
  hostname?: string;
  /** how long a second of cfg-revert-timeout lasts (tests scale it down) */
  secondMs?: number;
  /** CLI text of the configuration the device starts with (running and saved) */
  initial?: string;
}

export interface FortiosSimulator extends CliServer {
  /** `show` of the given tables in the running configuration */
  show(tables: readonly string[]): string;
  cfgSave(): string;
  /** the next answer to a command matching `when` gets `line` first: unexpected output */
  injectStrayLine(when: RegExp, line: string): void;
  /** a command matching `when` fails on the device (for refusals the structural checker can not know) */
  failCommand(when: RegExp): void;
}

export async function startFortiosSimulator(options: FortiosSimulatorOptions = {}): Promise<FortiosSimulator> {
  const hostname = options.hostname ?? "FGT";
  const secondMs = options.secondMs ?? 1000;
  let running: FortiosConfig = parseFortiosCli(options.initial ?? "");
  let saved: FortiosConfig = structuredClone(running);
  let revertTimer: NodeJS.Timeout | undefined;
  let stray: { when: RegExp; line: string } | undefined;
  let failing: RegExp | undefined;
  let server: CliServer | undefined;

  const globalKey = (key: string): string | undefined => running.get("system global")?.keys.get(key)?.[0]?.text;
  const revertNow = (): void => {
    clearTimeout(revertTimer);
    revertTimer = undefined;
    running = structuredClone(saved);
    server?.dropSessions();
  };
  const changed = (): void => {
    if (globalKey("cfg-save") !== "revert" || revertTimer) return;
    revertTimer = setTimeout(revertNow, Number(globalKey("cfg-revert-timeout") ?? 600) * secondMs);
  };

  /** scconf's checker on the line inside the session's context; undefined when it passes */
  const check = (cli: FortiosCli, line: string): string[] | undefined => {
    const frames = cli.frames;
    // system global is outside scconf's grammar: its two keys are checked by the interpreter's table
    if (frames[0]?.path === "system global" || (frames.length === 0 && line === "config system global")) return undefined;
    const context = frames.flatMap((f, i) => [`config ${i === 0 ? f.path : f.path.split("/").pop()}`, ...(f.edit ? [`edit ${quoteToken(f.edit)}`] : [])]);
    const names = new Map<string, Set<string>>();
    for (const [table, node] of running) names.set(table, new Set((node.entries ?? []).map((e) => e.id.text)));
    const problems = checkFortiosCli([...context, line].join("\n"), { names }).filter((p) => p.line === context.length + 1 && !p.message.endsWith("is never closed with end"));
    if (problems.length === 0) return undefined;
    const t = tokenize(line);
    const words = "tokens" in t ? t.tokens : [];
    if (problems.some((p) => p.message.includes("is not defined"))) {
      return ["entry not found in datasource", `value parse error before '${words[words.length - 1]?.text ?? ""}'`, "Command fail. Return code -3"];
    }
    return [`command parse error before '${(words[0]?.text === "set" ? words[1] : words[0])?.text ?? line}'`, "Command fail. Return code -61"];
  };

  const handler = (t: Terminal): CliHandler => {
    let cli = new FortiosCli(running, GRAMMAR);
    const prompt = (): void => t.write(cli.context === undefined ? `${hostname} # ` : `${hostname} (${cli.context}) # `);
    const say = (...lines: string[]): void => {
      for (const l of lines) t.write(`${l}\n`);
    };
    const command = (cmd: string): void => {
      if (cli.context === undefined && cmd.startsWith("show ")) {
        const table = cmd.slice(5).trim();
        return GRAMMAR[table] ? void t.write(renderFortiosTables(running, [table], { canonical: false }, GRAMMAR)) : say(`command parse error before '${table}'`, "Command fail. Return code -61");
      }
      if (cli.context === undefined && cmd === "execute cfg save") {
        saved = structuredClone(running);
        clearTimeout(revertTimer);
        revertTimer = undefined;
        return;
      }
      if (cli.context === undefined && cmd === "execute cfg reload") {
        t.write("This operation will reboot the system !\nDo you want to continue? (y/n)");
        t.rawChar = true;
        return;
      }
      const tokens = tokenize(cmd);
      if ("error" in tokens) return say(`command parse error before '${cmd.split(" ")[0]}'`, "Command fail. Return code -61");
      const head = tokens.tokens[0]?.text ?? "";
      if (failing?.test(cmd)) {
        failing = undefined;
        return say("Command fail. Return code -61");
      }
      if (head !== "next" && head !== "end" && head !== "abort") {
        const refused = check(cli, cmd);
        if (refused) return say(...refused);
      }
      const r = cli.step(tokens.tokens);
      if (!r.ok) return say(`command parse error before '${head}'`, "Command fail. Return code -61");
      if (r.created !== undefined) say(`new entry '${r.created}' added`);
      if ((CHANGES.has(head) || r.created !== undefined) && cli.frames[0]?.path !== "system global") changed();
    };
    return {
      start: () => prompt(),
      line: (raw) => {
        const cmd = raw.trim();
        if (stray && stray.when.test(cmd)) {
          say(stray.line);
          stray = undefined;
        }
        // the interpreter works on the configuration of the moment (after a revert it is a new one)
        if (cli.config !== running) cli = new FortiosCli(running, GRAMMAR);
        if (cmd !== "") command(cmd);
        if (!t.rawChar) prompt();
      },
      ctrlD: () => undefined,
      char: (c) => {
        t.write(`${c}\n`);
        if (c === "y") return revertNow();
        prompt();
      },
      closed: () => undefined,
    };
  };

  server = await startCliServer(handler);
  const started = server;
  return {
    ...started,
    show: (tables) => renderFortiosTables(running, tables, { canonical: false }, GRAMMAR),
    cfgSave: () => globalKey("cfg-save") ?? "automatic",
    injectStrayLine: (when, line) => {
      stray = { when, line };
    },
    failCommand: (when) => {
      failing = when;
    },
    stop: async () => {
      clearTimeout(revertTimer);
      await started.stop();
    },
  };
}
