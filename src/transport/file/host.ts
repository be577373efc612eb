// The two things a file-based device is made of: a filesystem and a shell.
// The transaction in file-device.ts is written once against this seam; local.ts
// and ssh.ts only move bytes and run commands.
import os from "node:os";
import path from "node:path";

export interface ExecResult {
  /** the exit code; 128 + n when the command died of signal n, as a shell reports it */
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: string | Buffer;
  /** fails the command with a DeviceError after this long; the host's default applies when omitted */
  timeoutMs?: number;
}

export interface Host {
  /** the device name, for error messages */
  readonly device: string;
  /** what `{root}` stands for in device commands: the local root directory, or "" on a remote device */
  readonly root: string;
  /** how a device path is spelled in commands run on this host */
  resolve(devicePath: string): string;
  connect(): Promise<void>;
  /** runs a shell command line; a non-zero exit is a result, a broken transport or a timeout is a DeviceError */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** the file's bytes, or null when it does not exist */
  readFile(devicePath: string): Promise<Buffer | null>;
  /** writes the whole file (the parent directory must exist) */
  writeFile(devicePath: string, content: Buffer | string): Promise<void>;
  close(): Promise<void>;
}

/** Single-quotes a word for POSIX sh, so that paths and ids can never become syntax. */
export function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Maps a killed process to the exit status a shell would report. */
export function exitCode(code: number | null, signal: string | null | undefined): number {
  if (code !== null && code !== undefined) return code;
  const signals: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15, HUP: 1, INT: 2, KILL: 9, TERM: 15 };
  return 128 + (signal ? (signals[signal] ?? 0) : 0);
}

/** A path from the inventory: `~` is the operator's home, relative paths are relative to the inventory directory. */
export function expandHome(file: string, baseDir: string): string {
  if (file === "~" || file.startsWith("~/")) return path.join(os.homedir(), file.slice(1));
  return path.resolve(baseDir, file);
}

/**
 * A command line is one argument of `sh -c` (or one SSH exec request), and
 * Linux refuses an argument over 128 KiB (E2BIG). A commit of hundreds of
 * artifacts writes a longer script: past this size it runs from a file.
 */
export const MAX_INLINE_COMMAND_BYTES = 64 * 1024;

export function needsScriptFile(command: string): boolean {
  return Buffer.byteLength(command, "utf8") > MAX_INLINE_COMMAND_BYTES;
}
