// A Junos CLI simulator (test-only, NOT Junos): only what scconf's ssh-cli
// driver uses, answering as the Junos CLI User Guide shows. Operational mode
// `user@srx> `, `configure exclusive` (one holder at a time) -> `user@srx# `
// with the `[edit]` banner, `load set terminal` (lines until Ctrl-D, each
// checked against JUNOS_SET_GRAMMAR; lines that fail are reported and the
// rest stay loaded, as Junos does), `commit check` (the reference check of
// checkJunosSet), `commit confirmed N` (the timer really rolls back: active
// returns to rollback 1, itself a new commit), `commit`, `rollback N`,
// `show configuration groups scconf | display set`, `run ...`, exit.
// Leaving exclusive mode discards the uncommitted candidate. A Junos
// broadcast message on automatic rollback is not simulated.
import { JUNOS_SET_GRAMMAR, checkJunosSet, parseGroupLine, tokenizeSetLine } from "../../../src/render/check/junos.js";
import { startCliServer, type CliHandler, type CliServer, type Terminal } from "./server.js";

interface JunosConfig {
  /** `set groups scconf ...` lines, in load order */
  group: string[];
  applied: boolean;
}

export interface JunosSimulatorOptions {
  hostname?: string;
  /** how long a "minute" of commit confirmed lasts (tests scale it down) */
  minuteMs?: number;
  initial?: JunosConfig;
}

export interface JunosSimulator extends CliServer {
  active(): JunosConfig;
  /** the next answer to a command matching `when` gets `line` first: unexpected output */
  injectStrayLine(when: RegExp, line: string): void;
}

const clone = (c: JunosConfig): JunosConfig => ({ group: [...c.group], applied: c.applied });
const same = (a: JunosConfig, b: JunosConfig): boolean => a.applied === b.applied && a.group.join("\n") === b.group.join("\n");

/** The first word no production accepts, for Junos's `syntax error: <word>`. */
function offendingWord(words: readonly string[]): string {
  let best = 0;
  for (const rule of JUNOS_SET_GRAMMAR) {
    let i = 0;
    while (i < words.length && i < rule.tokens.length && parseGroupLinePrefix(rule.tokens[i]!, words[i]!)) i++;
    best = Math.max(best, i);
  }
  return words[best] ?? words[words.length - 1] ?? "";
}

function parseGroupLinePrefix(token: string, word: string): boolean {
  return token.startsWith("<") || token.startsWith("(") ? true : token === word;
}

export async function startJunosSimulator(options: JunosSimulatorOptions = {}): Promise<JunosSimulator> {
  const hostname = options.hostname ?? "srx";
  const minuteMs = options.minuteMs ?? 60_000;
  const history: JunosConfig[] = [clone(options.initial ?? { group: [], applied: false })];
  let candidate = clone(history[0]!);
  let holder: { terminal: Terminal; since: string } | undefined;
  let confirmTimer: NodeJS.Timeout | undefined;
  let stray: { when: RegExp; line: string } | undefined;

  const commitCandidate = (): void => {
    history.unshift(clone(candidate));
    history.splice(50);
  };
  const checkCandidate = (): string[] => {
    const text = ["delete groups scconf", ...candidate.group, "set apply-groups scconf"].join("\n");
    return checkJunosSet(text).problems.map((p) => `error: ${p.message}`);
  };
  const showGroup = (): string[] => [...history[0]!.group];

  const handler = (t: Terminal): CliHandler => {
    let config = false;
    let loading: string[] | undefined;
    const prompt = (): void => t.write(config ? `\n[edit]\n${t.user}@${hostname}# ` : `${t.user}@${hostname}> `);
    const say = (...lines: string[]): void => {
      for (const l of lines) t.write(`${l}\n`);
    };
    const release = (): void => {
      if (holder?.terminal !== t) return;
      holder = undefined;
      // "uncommitted changes will be discarded on exit"
      candidate = clone(history[0]!);
    };

    const operational = (cmd: string): boolean => {
      if (cmd === "set cli screen-length 0") say("Screen length set to 0");
      else if (cmd === "set cli screen-width 0") say("Screen width set to 0");
      else if (cmd === "show configuration groups scconf | display set") say(...showGroup());
      else if (cmd === 'show configuration | display set | match "^set apply-groups "') say(...(history[0]!.applied ? ["set apply-groups scconf"] : []));
      else return false;
      return true;
    };

    const configuration = (cmd: string): void => {
      const m = /^(?:commit confirmed (\d+)|rollback (\d+))$/.exec(cmd);
      if (cmd === "load set terminal") {
        say("[Type ^D at a new line to end input]");
        loading = [];
        return;
      }
      if (cmd.startsWith("run ") && operational(cmd.slice(4))) return;
      if (cmd === "commit check") {
        const errors = checkCandidate();
        say(...(errors.length === 0 ? ["configuration check succeeds"] : [...errors, "error: configuration check-out failed"]));
      } else if (cmd === "commit" || m?.[1] !== undefined) {
        const errors = checkCandidate();
        if (errors.length > 0) return say(...errors, "error: configuration check-out failed");
        clearTimeout(confirmTimer);
        confirmTimer = undefined;
        commitCandidate();
        if (m?.[1] === undefined) return say("commit complete");
        const minutes = Number(m[1]);
        confirmTimer = setTimeout(() => {
          // not confirmed in time: rollback 1, committed as a new generation
          confirmTimer = undefined;
          candidate = clone(history[1] ?? { group: [], applied: false });
          commitCandidate();
        }, minutes * minuteMs);
        say(`commit confirmed will be automatically rolled back in ${minutes} minutes unless confirmed`, "commit complete", "", `# commit confirmed will be rolled back in ${minutes} minutes`);
      } else if (m?.[2] !== undefined) {
        const n = Number(m[2]);
        if (!history[n]) return say(`error: rollback ${n} does not exist`);
        candidate = clone(history[n]!);
        say("load complete");
      } else if (cmd === "exit configuration-mode" || cmd === "exit") {
        release();
        config = false;
        say("Exiting configuration mode");
      } else say(`error: unknown command: ${cmd}`);
    };

    const load = (lines: readonly string[]): void => {
      const errors: string[] = [];
      for (const line of lines) {
        const words = tokenizeSetLine(line.trim());
        const text = words?.join(" ") ?? "";
        if (line.trim() === "") continue;
        if (!words) errors.push(`error: syntax error: ${line.trim().slice(0, 40)}`);
        else if (text === "delete groups scconf") candidate.group = [];
        else if (text === "set apply-groups scconf") candidate.applied = true;
        else if (words[0] !== "set" || words[1] !== "groups" || words[2] !== "scconf") errors.push(`error: syntax error: ${words[0] === "set" ? (words[1] ?? "") : (words[0] ?? "")}`);
        else if (!parseGroupLine(words.slice(3))) errors.push(`error: syntax error: ${offendingWord(words.slice(3))}`);
        else if (!candidate.group.includes(text)) candidate.group.push(text);
      }
      say(errors.length === 0 ? "load complete" : "", ...errors, ...(errors.length === 0 ? [] : [`load complete (${errors.length} errors)`]));
    };

    return {
      start: () => {
        say("--- JUNOS simulator (scconf tests) ---");
        prompt();
      },
      line: (raw) => {
        if (loading) return void loading.push(raw);
        const cmd = raw.trim();
        if (stray && stray.when.test(cmd)) {
          say(stray.line);
          stray = undefined;
        }
        if (cmd === "") return prompt();
        if (!config) {
          if (cmd === "configure exclusive") {
            if (holder && holder.terminal !== t) {
              say("error: configuration database locked by:", `  ${holder.terminal.user} terminal p${holder.terminal.id} (pid ${1000 + holder.terminal.id}) on since ${holder.since}`, "      exclusive [edit]");
            } else {
              holder = { terminal: t, since: new Date().toISOString().replace("T", " ").slice(0, 19) + " UTC" };
              config = true;
              say("warning: uncommitted changes will be discarded on exit", "Entering configuration mode");
            }
          } else if (cmd === "exit") return t.close();
          else if (!operational(cmd)) say(`error: unknown command: ${cmd}`);
        } else configuration(cmd);
        // a terminal load reads lines without a prompt until Ctrl-D
        if (!loading) prompt();
      },
      ctrlD: () => {
        if (!loading) return;
        const lines = loading;
        loading = undefined;
        load(lines);
        prompt();
      },
      char: () => undefined,
      closed: () => release(),
    };
  };

  const server = await startCliServer(handler);
  return {
    ...server,
    active: () => clone(history[0]!),
    injectStrayLine: (when, line) => {
      stray = { when, line };
    },
    stop: async () => {
      clearTimeout(confirmTimer);
      await server.stop();
    },
  };
}
