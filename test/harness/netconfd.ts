// A real NETCONF device for tests: netconfd (yuma123) behind a real OpenSSH
// sshd (test/harness/sshd.ts), one per test file, on 127.0.0.1 only.
// See /work/shared/docs/lab-notes.md ("netconfd (yuma123) as a NETCONF device").
import { spawn, type ChildProcess } from "node:child_process";
import { access, chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startSshd, type Sshd } from "./sshd.js";

export interface NetconfdOptions {
  /** the YANG module to load, relative to the repository root or absolute */
  module: string;
  /** initial running configuration: a <config> document (default: empty) */
  startupXml?: string;
  /** ms to wait for netconfd's socket (default 10 s) */
  readyTimeoutMs?: number;
}

export interface Netconfd {
  /** the SSH port */
  port: number;
  hostKeyFingerprint: string;
  clientKeyPath: string;
  user: string;
  /** netconfd's process id (tests may SIGSTOP it to make the device unresponsive) */
  pid: number;
  /** the file netconfd writes running into on every commit */
  startupFile: string;
  /** netconfd's log so far, for failing tests */
  log(): Promise<string>;
  /** stops this netconfd and this sshd only, and removes their temp dirs */
  stop(): Promise<void>;
}

const EMPTY_CONFIG = '<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"/>\n';

export async function startNetconfd(options: NetconfdOptions): Promise<Netconfd> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "scconf-netconfd-"));
  const home = path.join(dir, "home");
  const sock = path.join(dir, "ncxserver.sock");
  const startupFile = path.join(dir, "startup.xml");
  const logFile = path.join(dir, "netconfd.log");
  const wrapper = path.join(dir, "netconf-subsystem.sh");
  let sshd: Sshd | undefined;
  let child: ChildProcess | undefined;
  try {
    await mkdir(home, { mode: 0o700 });
    await writeFile(startupFile, options.startupXml ?? EMPTY_CONFIG);
    // a pristine copy: every commit rewrites the startup file
    await copyFile(startupFile, path.join(dir, "startup.pristine.xml"));
    // netconf-subsystem picks the netconfd socket by the SSH server port
    // (PORT@SOCK, PORT compared with $SSH_CONNECTION), and startSshd chooses
    // its port itself: the wrapper reads the port when the session starts.
    await writeFile(wrapper, `#!/bin/sh\nexec /usr/sbin/netconf-subsystem "--ncxserver-sockname=\${SSH_CONNECTION##* }@${sock}"\n`);
    await chmod(wrapper, 0o755);
    sshd = await startSshd({ extraConfig: [`Subsystem netconf ${wrapper}`] });

    const moduleFile = path.resolve(options.module);
    const args = [
      `--module=${moduleFile}`,
      `--startup=${startupFile}`,
      "--target=candidate",
      "--with-startup=false",
      `--port=${sshd.port}`,
      `--ncxserver-sockname=${sock}`,
      `--superuser=${sshd.user}`,
      `--log=${logFile}`,
      "--log-level=info",
    ];
    // netconfd writes ~/.yuma in the passwd home and ignores $HOME: give it a
    // private mount namespace with a temp dir bound over that home. unshare
    // (without --fork) and sh both exec, so the child pid is netconfd's.
    const passwdHome = os.userInfo().homedir;
    child = spawn(
      "unshare",
      ["--mount", "--propagation", "private", "sh", "-c", 'mount --bind "$1" "$2" && shift 2 && exec netconfd "$@"', "sh", home, passwdHome, ...args],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const output: string[] = [];
    child.stdout?.on("data", (c: Buffer) => output.push(c.toString("utf8")));
    child.stderr?.on("data", (c: Buffer) => output.push(c.toString("utf8")));
    await waitForSocket(child, sock, options.readyTimeoutMs ?? 10_000, output);

    const started = child;
    const startedSshd = sshd;
    return {
      port: sshd.port,
      pid: started.pid ?? 0,
      hostKeyFingerprint: sshd.hostKeyFingerprint,
      clientKeyPath: sshd.clientKeyPath,
      user: sshd.user,
      startupFile,
      log: () => readFile(logFile, "utf8").catch(() => ""),
      stop: async () => {
        await stopChild(started);
        await startedSshd.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (child) await stopChild(child);
    if (sshd) await sshd.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function waitForSocket(child: ChildProcess, sock: string, timeoutMs: number, output: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`netconfd exited (${child.exitCode ?? child.signalCode}): ${output.join("")}`);
    }
    try {
      await access(sock);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`netconfd made no socket within ${timeoutMs} ms: ${output.join("")}`);
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
