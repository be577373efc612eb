// A "device" whose filesystem is a directory on this machine: the artifact
// /etc/nginx/conf.d/scconf.conf lives at <root>/etc/nginx/conf.d/scconf.conf,
// and device commands run with cwd = root and SCCONF_ROOT=<root>. Used for
// devices managed from their own host and for tests.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { lstatSync, realpathSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DeviceError } from "./driver.js";
import { exitCode, needsScriptFile, type ExecOptions, type ExecResult, type Host } from "./file/host.js";

export interface LocalHostOptions {
  /** absolute directory that stands for the device's filesystem root */
  root: string;
  /** default timeout of a command */
  commandTimeoutMs: number;
}

export class LocalHost implements Host {
  readonly root: string;

  constructor(
    readonly device: string,
    private readonly options: LocalHostOptions,
  ) {
    if (!path.isAbsolute(options.root)) throw new Error(`${device}: the local root must be absolute: ${options.root}`);
    this.root = path.resolve(options.root);
  }

  resolve(devicePath: string): string {
    if (!devicePath.startsWith("/") || devicePath.split("/").includes("..")) {
      throw new DeviceError(this.device, "path", `not an absolute device path without '..': ${devicePath}`);
    }
    const full = path.join(this.root, devicePath);
    this.refuseEscape(devicePath, full);
    return full;
  }

  /**
   * A symlink inside the root (etc/nginx -> /etc/nginx, or a planted one)
   * would redirect a write, a read or a device command's path outside the
   * directory that stands for the device. The deepest existing part of the
   * path must resolve inside the root's own real path.
   */
  private refuseEscape(devicePath: string, full: string): void {
    let rootReal: string;
    try {
      rootReal = realpathSync(this.root);
    } catch {
      return; // no root yet: nothing below it exists to be a link
    }
    let probe = full;
    for (;;) {
      let real: string | undefined;
      try {
        real = realpathSync(probe);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "ENOENT" && code !== "ENOTDIR") throw new DeviceError(this.device, "path", `cannot resolve ${devicePath}: ${(err as Error).message}`);
        // a dangling link: writing through it would create its target, wherever that is
        let dangling = false;
        try {
          dangling = lstatSync(probe).isSymbolicLink();
        } catch {
          dangling = false;
        }
        if (dangling) throw new DeviceError(this.device, "path", `${devicePath} passes a symbolic link that points nowhere (${probe}); refused`);
      }
      if (real !== undefined) {
        const rest = path.relative(probe, full);
        const target = rest ? path.join(real, rest) : real;
        if (target !== rootReal && !target.startsWith(rootReal + path.sep)) {
          throw new DeviceError(this.device, "path", `${devicePath} leads outside the device root ${this.root} through a symbolic link (to ${target}); refused`);
        }
        return;
      }
      const parent = path.dirname(probe);
      if (parent === probe) return;
      probe = parent;
    }
  }

  async connect(): Promise<void> {
    // nothing to open; a missing root is reported by the first command that needs it
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (!needsScriptFile(command)) return this.spawnShell(["-c", command], command, options);
    const script = path.join(tmpdir(), `scconf-${randomUUID()}.sh`);
    await writeFile(script, command, { mode: 0o600 });
    try {
      return await this.spawnShell([script], command, options);
    } finally {
      await rm(script, { force: true });
    }
  }

  private spawnShell(args: string[], command: string, options: ExecOptions): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? this.options.commandTimeoutMs;
    return new Promise((resolve, reject) => {
      // detached: the command gets its own process group, so a timeout can
      // kill the whole pipeline and not only the shell
      const child = spawn("sh", args, {
        cwd: this.root,
        env: { ...process.env, SCCONF_ROOT: this.root },
        detached: true,
        stdio: ["pipe", "pipe", "pipe"],
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, timeoutMs);
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      child.stdin.on("error", () => {
        // a command that does not read its stdin closes the pipe early: not an error
      });
      child.on("error", (err) => {
        clearTimeout(timer);
        reject(new DeviceError(this.device, "exec", `cannot run sh: ${err.message}`));
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(new DeviceError(this.device, "exec", `command timed out after ${timeoutMs} ms: ${command.slice(0, 500)}`));
          return;
        }
        resolve({ code: exitCode(code, signal), stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
      });
      child.stdin.end(options.stdin ?? "");
    });
  }

  async readFile(devicePath: string): Promise<Buffer | null> {
    try {
      return await readFile(this.resolve(devicePath));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new DeviceError(this.device, "read", `cannot read ${devicePath}: ${(err as Error).message}`);
    }
  }

  async writeFile(devicePath: string, content: Buffer | string): Promise<void> {
    try {
      await writeFile(this.resolve(devicePath), content);
    } catch (err) {
      throw new DeviceError(this.device, "write", `cannot write ${devicePath}: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    // nothing is held open
  }
}
