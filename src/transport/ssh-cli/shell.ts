// One interactive CLI session over an SSH shell channel. Every command is
// written as a line and its echo and output are read until the next prompt;
// the caller decides what a successful answer looks like, line by line. Data
// that arrives between commands stays in the buffer, so the next command sees
// it as unexpected output (a stray line is a failure, never noise). A timeout
// or a dropped session fails the pending command and every later one: after
// either, where the CLI stands is unknown.
import { StringDecoder } from "node:string_decoder";
import type { Client, ClientChannel } from "ssh2";
import { DeviceError } from "../driver.js";

export interface CliReply {
  /** output lines between the echo of the command and the prompt (\r removed, trailing spaces kept) */
  lines: string[];
  /** what the terminating pattern matched (the prompt, or a question) */
  match: RegExpExecArray;
}

export interface CliRunOptions {
  /** the driver step, for the error */
  step: string;
  /** what ends the answer; the session's prompt pattern unless given */
  until?: RegExp;
  timeoutMs?: number;
  /** lines the device echoes before its answer (default: the command itself) */
  echo?: readonly string[];
}

interface Pending {
  until: RegExp;
  resolve: (text: string, match: RegExpExecArray) => void;
  reject: (err: DeviceError) => void;
}

export class CliShell {
  private buffer = "";
  private pending: Pending | undefined;
  private lost: DeviceError | undefined;
  private readonly decoder = new StringDecoder("utf8");

  private constructor(
    readonly device: string,
    private readonly channel: ClientChannel,
    /** must match at the end of the buffer: e.g. /\n?user@host[>#] $/ */
    readonly prompt: RegExp,
    private readonly timeoutMs: number,
  ) {
    channel.on("data", (chunk: Buffer) => this.receive(chunk));
    channel.stderr.on("data", (chunk: Buffer) => this.receive(chunk));
    channel.on("close", () => this.fail(new DeviceError(device, "connection", "the CLI session was closed by the device")));
  }

  /** Opens a shell (with a pty, as an operator's terminal) and reads the login banner up to the first prompt. */
  static async open(client: Client, device: string, prompt: RegExp, timeoutMs: number): Promise<{ shell: CliShell; banner: string[] }> {
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      // a wide terminal: the CLI must not wrap long set lines
      client.shell({ term: "vt100", cols: 511, rows: 24 }, (err, ch) => {
        if (err) reject(new DeviceError(device, "connect", `cannot open a shell: ${err.message}`));
        else resolve(ch);
      });
    });
    const shell = new CliShell(device, channel, prompt, timeoutMs);
    const text = await shell.wait({ step: "connect", until: prompt }, "the first prompt");
    return { shell, banner: text.lines };
  }

  get closed(): boolean {
    return this.lost !== undefined;
  }

  /** Sends one command line and returns its answer. */
  async run(command: string, options: CliRunOptions): Promise<CliReply> {
    this.write(`${command}\n`);
    const reply = await this.wait(options, command);
    return { ...reply, lines: stripEcho(reply.lines, options.echo ?? [command]) };
  }

  /** Sends raw text (lines of a terminal load, Ctrl-D); the answer is read by a later wait(). */
  write(text: string): void {
    if (this.lost) throw this.lost;
    this.channel.write(text);
  }

  /** Reads until the pattern (default: the prompt) matches at the end of what arrived. */
  wait(options: CliRunOptions, what: string): Promise<CliReply> {
    if (this.lost) return Promise.reject(this.lost);
    if (this.pending) return Promise.reject(new DeviceError(this.device, options.step, `a command is still running; refusing to send: ${what}`));
    const until = options.until ?? this.prompt;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return new Promise<CliReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        const tail = this.buffer.slice(-300);
        this.pending = undefined;
        this.fail(new DeviceError(this.device, options.step, `timed out after ${timeoutMs} ms waiting for the prompt after: ${what}`, tail));
        reject(this.lost);
      }, timeoutMs);
      this.pending = {
        until,
        resolve: (text, match) => {
          clearTimeout(timer);
          resolve({ lines: splitLines(text), match });
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.check();
    });
  }

  close(): void {
    this.fail(new DeviceError(this.device, "connection", "the CLI session was closed by scconf"));
    this.channel.close();
  }

  private receive(chunk: Buffer): void {
    this.buffer += this.decoder.write(chunk).replace(/\r/g, "");
    this.check();
  }

  private check(): void {
    const p = this.pending;
    if (!p) return;
    const m = p.until.exec(this.buffer);
    if (!m || m.index + m[0].length !== this.buffer.length) return;
    const text = this.buffer.slice(0, m.index);
    this.buffer = "";
    this.pending = undefined;
    p.resolve(text, m);
  }

  private fail(err: DeviceError): void {
    if (this.lost) return;
    this.lost = err;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(err);
  }
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Removes the echoed input lines from the answer, in order (the device's own lines may come between them). */
export function stripEcho(lines: string[], echo: readonly string[]): string[] {
  let j = 0;
  return lines.filter((line) => {
    if (j < echo.length && line.trimEnd() === echo[j]!.trimEnd()) {
      j++;
      return false;
    }
    return true;
  });
}

/** The answer without blank lines: what a successful answer may contain is then compared line by line. */
export function meaningful(lines: readonly string[]): string[] {
  return lines.map((l) => l.trimEnd()).filter((l) => l !== "");
}

/** Throws when the answer is anything but exactly the expected lines (blank lines aside). */
export function expectExactly(device: string, step: string, command: string, lines: readonly string[], expected: readonly (string | RegExp)[]): void {
  const got = meaningful(lines);
  const ok = got.length === expected.length && got.every((l, i) => {
    const e = expected[i]!;
    return typeof e === "string" ? l === e : e.test(l);
  });
  if (!ok) throw new DeviceError(device, step, `unexpected answer to "${command}": ${got.join(" | ") || "(nothing)"}`, got.join("\n"));
}
