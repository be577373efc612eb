// Temporary inventory repositories for the workflow tests: the small fixture
// in <tmp>/inventory, committed by Alice on main; helpers to edit an
// organization's file as another author and to run the compiled CLI.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listApprovers, makeKeys, type TestKey } from "../helpers/approvers.js";
import { calendarFree, type WindowFixture } from "../helpers/calendar.js";
import { REPO_ROOT, SMALL_INVENTORY } from "../helpers/inventory.js";

export { addDays, calendarFree, closedWindowDay, tokyoToday, type WindowFixture } from "../helpers/calendar.js";

export interface TestRepo {
  top: string;
  inventory: string;
  git(args: string[], author?: string): string;
  /** replaces text in a file of the inventory and commits it as `author` */
  edit(file: string, from: string | RegExp, to: string, author: string, message?: string): void;
  /** runs the CLI; by default on the real clock (a real apply refuses a fake date); `today` pins the date, for plans and rehearsals that test one */
  scconf(args: string[], env?: Record<string, string>, options?: { today?: string | null }): { code: number; stdout: string; stderr: string };
  /** the approvers' keys (listed in the committed cloud.yaml), by name */
  keys: Record<string, TestKey>;
}

/** The fixture's devices, with checks and reloads that need no vendor software (the checkers are tested elsewhere). */
function localDevices(text: string): string {
  return text.replace(/ root: (state\/devices\/[\w-]+) \}/g, ' root: $1, checkCommand: "true", reloadCommand: "true" }');
}

const BIN = join(REPO_ROOT, "bin", "scconf");

function identity(name: string): Record<string, string> {
  const email = `${name.toLowerCase()}@example.jp`;
  return { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email };
}

/** Carol and Dave approve; Bob is listed too (he writes changes, and must not approve his own). */
export const DEFAULT_APPROVERS = ["Carol", "Dave", "Bob"];

export function makeRepo(options: { localDevices?: boolean; approvers?: readonly string[]; window?: WindowFixture } = {}): TestRepo {
  if (!existsSync(join(REPO_ROOT, "dist", "workflow", "review.js"))) throw new Error("compile first: npx tsc -p .");
  const top = mkdtempSync(join(tmpdir(), "scconf-wf-"));
  const inventory = join(top, "inventory");
  cpSync(SMALL_INVENTORY, inventory, { recursive: true });
  if (options.localDevices) writeFileSync(join(inventory, "devices.yaml"), localDevices(readFileSync(join(inventory, "devices.yaml"), "utf8")));
  calendarFree(inventory, options.window);
  const keys = makeKeys(options.approvers ?? DEFAULT_APPROVERS);
  listApprovers(join(inventory, "cloud.yaml"), Object.values(keys));
  writeFileSync(join(top, ".gitignore"), "backups/\nstate/\n.scconf/\n*.plan.json\n");
  const git = (args: string[], author = "Alice") =>
    execFileSync("git", ["-C", top, ...args], { encoding: "utf8", env: { ...process.env, ...identity(author) }, stdio: ["ignore", "pipe", "pipe"] });
  git(["init", "-q", "-b", "main"]);
  git(["config", "user.name", "Operator Bot"]);
  git(["config", "user.email", "bot@example.jp"]);
  git(["add", "-A"]);
  git(["commit", "-q", "-m", "inventory"]);
  return {
    top,
    inventory,
    keys,
    git,
    edit(file, from, to, author, message = `edit ${file}`) {
      const path = join(inventory, file);
      const text = readFileSync(path, "utf8");
      const next = text.replace(from, to);
      if (next === text) throw new Error(`edit of ${file}: ${String(from)} not found`);
      writeFileSync(path, next);
      git(["commit", "-q", "-am", message], author);
    },
    scconf(args, env = {}, options = {}) {
      const today = options.today ?? null;
      const r = spawnSync(process.execPath, [BIN, "-i", inventory, ...(today === null ? [] : ["--today", today]), ...args], {
        cwd: top,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1", SCCONF_OPERATOR: "", SCCONF_NOW: "", ...env },
        timeout: 60_000,
      });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
  };
}

/** Tsu opens an inbound port to its servers (needs approval and a window in the fixture's policy). */
export const TSU_INBOUND_RULE = "  - { name: cms-in, from: [internet], to: [servers], protocol: tcp, ports: [8443], action: accept }\n  - { name: block-c2";
