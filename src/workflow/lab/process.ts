// The servers of the lab and of the tests as processes: started either as a
// child of this process (tests: output kept in memory, stopped with it) or
// detached (the lab: survives `scconf lab up`, output in a log file), and
// stopped later by pid only after /proc/<pid>/cmdline proves it is still the
// process that was started.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import net from "node:net";

export interface ServerProcess {
  pid: number;
  /** what it printed so far (attached), or its log file (detached) */
  log(): string;
  /** false once it exited (a zombie counts as exited) */
  running(): boolean;
  /** stops exactly this process and waits until it is gone */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** survive this process: output goes to logFile, the child is not waited for */
  detached?: boolean;
  /** required when detached */
  logFile?: string;
}

export function spawnServer(command: string, args: readonly string[], options: SpawnOptions = {}): ServerProcess {
  if (options.detached) {
    if (!options.logFile) throw new Error("a detached server needs a log file");
    const fd = openSync(options.logFile, "a", 0o600);
    let child: ChildProcess;
    try {
      // its own session: a terminal's Ctrl-C or the end of `lab up` does not reach it
      child = spawn(command, args, { detached: true, stdio: ["ignore", fd, fd] });
    } finally {
      closeSync(fd);
    }
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`cannot start ${command}`);
    const logFile = options.logFile;
    return {
      pid,
      log: () => readText(logFile),
      running: () => isAlive(pid),
      stop: () => stopPid(pid).then(() => undefined),
    };
  }
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  child.stdout?.on("data", (c: Buffer) => output.push(c.toString("utf8")));
  child.stderr?.on("data", (c: Buffer) => output.push(c.toString("utf8")));
  if (child.pid === undefined) throw new Error(`cannot start ${command}`);
  return {
    pid: child.pid,
    log: () => output.join(""),
    running: () => child.exitCode === null && child.signalCode === null,
    stop: () => stopChild(child),
  };
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** The command line of a live process, or undefined when there is none (or only a zombie). */
export function readCmdline(pid: number): string[] | undefined {
  if (!isAlive(pid)) return undefined;
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    const parts = raw.split("\0");
    if (parts[parts.length - 1] === "") parts.pop();
    return parts.length ? parts : undefined;
  } catch {
    return undefined;
  }
}

/** Alive = it exists and is not a zombie (a killed detached server may wait for its reaper). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X" && state !== "";
  } catch {
    return false;
  }
}

export type StopOutcome = "stopped" | "gone" | "replaced";

/**
 * Stops the process `pid` if it is still the one recorded (same command line);
 * a pid now used by another program is left alone ("replaced").
 */
/**
 * Is the process still the one we started? OpenSSH rewrites its process title
 * ("sshd: /usr/sbin/sshd -D -e -f CFG [listener] 0 of 10-100 startups"), so an
 * exact comparison of /proc/PID/cmdline fails by itself after a while. The
 * lab's own paths (its config file, its socket) are unique to this lab and
 * survive the rewrite: the process is ours while every one of them still shows.
 */
export function sameProcess(seen: readonly string[], expected: readonly string[]): boolean {
  if (seen.length === expected.length && seen.every((part, i) => part === expected[i])) return true;
  // the title may already be rewritten when it was recorded: compare word by word
  const words = (list: readonly string[]) => list.flatMap((a) => a.split(/\s+/)).filter(Boolean);
  const text = new Set(words(seen));
  const marks = words(expected).filter((w) => w.includes("/") && !/^\/(usr|bin|sbin)\//.test(w));
  return marks.length > 0 && marks.every((m) => text.has(m));
}

export async function stopPid(pid: number, expected?: readonly string[]): Promise<StopOutcome> {
  const seen = readCmdline(pid);
  if (!seen) return "gone";
  if (expected && !sameProcess(seen, expected)) return "replaced";
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return "gone";
  }
  const deadline = Date.now() + 3_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // exited between the check and the kill
    }
    while (isAlive(pid)) await sleep(50);
  }
  return "stopped";
}

/** Kills exactly this child and waits for it to exit. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(timer);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A port that was free a moment ago on 127.0.0.1 (the caller retries when another process takes it first). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
