// The SSH connection and CLI shell of one ssh-cli device: connects with the
// file driver's auth and pinned host key code (openSshClient), then speaks
// through one CliShell for the whole transaction.
import type { Client } from "ssh2";
import type { Device } from "../../model/types.js";
import { DeviceError } from "../driver.js";
import { endSshClient, openSshClient } from "../ssh.js";
import { CliShell, stripEcho, type CliReply, type CliRunOptions } from "./shell.js";

export interface SshCliOptions {
  /** relative key files are resolved against this directory */
  baseDir: string;
  /** where secrets named by the inventory are looked up */
  env: NodeJS.ProcessEnv;
  connectTimeoutMs: number;
  /** how long one command may take up to its prompt */
  commandTimeoutMs: number;
}

export class CliSession {
  private client: Client | undefined;
  private shell: CliShell | undefined;

  constructor(
    private readonly spec: Device,
    private readonly options: SshCliOptions,
    private readonly prompt: RegExp,
  ) {}

  get connected(): boolean {
    return this.shell !== undefined && !this.shell.closed;
  }

  async open(): Promise<void> {
    if (this.connected) return;
    await this.close();
    const client = await openSshClient(this.spec, this.options);
    client.on("error", () => {
      // reported through the shell: its channel closes and fails what is pending
    });
    // one short line per round trip: Nagle's algorithm would hold each back
    client.setNoDelay(true);
    this.client = client;
    this.shell = (await CliShell.open(client, this.spec.name, this.prompt, this.options.commandTimeoutMs)).shell;
  }

  run(command: string, step: string, options: Omit<CliRunOptions, "step"> = {}): Promise<CliReply> {
    return this.current(step).run(command, { ...options, step });
  }

  write(text: string, step = "send"): void {
    this.current(step).write(text);
  }

  /** Reads the answer to text sent with write(); `echo` are the lines sent, which the device echoes. */
  wait(step: string, what: string, echo: readonly string[] = [], until?: RegExp, timeoutMs?: number): Promise<CliReply> {
    return this.current(step)
      .wait({ step, ...(until ? { until } : {}), ...(timeoutMs ? { timeoutMs } : {}) }, what)
      .then((reply) => ({ ...reply, lines: stripEcho(reply.lines, echo) }));
  }

  /** Resolves when the device closes the session (after a reboot command), rejects after the timeout. */
  waitClosed(step: string, timeoutMs: number): Promise<void> {
    const shell = this.current(step);
    return shell.wait({ step, until: /(?!)/, timeoutMs }, "the device to close the session").then(
      () => undefined,
      (err: unknown) => {
        if (err instanceof DeviceError && err.step === "connection" && !/scconf/.test(err.message)) return;
        throw err;
      },
    );
  }

  async close(): Promise<void> {
    this.shell?.close();
    this.shell = undefined;
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await endSshClient(client);
  }

  private current(step: string): CliShell {
    if (!this.shell) throw new DeviceError(this.spec.name, step, "not connected");
    return this.shell;
  }
}
