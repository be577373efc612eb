// A file-based device reached over SSH: commands through exec channels, files
// through one SFTP session, all on one connection reused for the whole
// transaction (a fresh connect costs 0.3-0.9 s). A dropped connection fails
// every pending operation with a DeviceError instead of leaving it hanging.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import os from "node:os";
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from "ssh2";
import type { Device } from "../model/types.js";
import { DeviceError, HostKeyError } from "./driver.js";
import { exitCode, expandHome, needsScriptFile, shQuote, type ExecOptions, type ExecResult, type Host } from "./file/host.js";
import { pinnedHostKey } from "./host-key.js";

export interface SshHostOptions {
  /** relative key files are resolved against this directory (the inventory directory) */
  baseDir: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** where secrets named by the inventory are looked up; process.env unless a test passes its own */
  env: NodeJS.ProcessEnv;
}

/** SFTP status code for "no such file" (draft-ietf-secsh-filexfer-02, SSH_FX_NO_SUCH_FILE). */
const SFTP_NO_SUCH_FILE = 2;

export class SshHost implements Host {
  readonly root = "";
  readonly device: string;
  private client: Client | undefined;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  /** set once the connection is gone; every later operation fails with it */
  private lost: DeviceError | undefined;
  private ended = false;
  /** rejecters of operations in flight, failed together when the connection drops */
  private readonly pending = new Set<(err: DeviceError) => void>();

  constructor(
    private readonly spec: Device,
    private readonly options: SshHostOptions,
  ) {
    this.device = spec.name;
  }

  resolve(devicePath: string): string {
    if (!devicePath.startsWith("/") || devicePath.split("/").includes("..")) {
      throw new DeviceError(this.device, "path", `not an absolute device path without '..': ${devicePath}`);
    }
    return devicePath;
  }

  async connect(): Promise<void> {
    if (this.client) return;
    const client = await openSshClient(this.spec, this.options);
    this.client = client;
    client.on("error", (err) => this.fail(`connection error: ${err.message}`));
    client.on("close", () => {
      this.ended = true;
      this.fail("the connection was closed");
    });
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (!needsScriptFile(command)) return this.execInline(command, options);
    // too long for one exec request: upload it and run it from a file
    const script = `/tmp/scconf-${randomUUID()}.sh`;
    await this.writeFile(script, command);
    return this.execInline(`sh ${shQuote(script)}; rc=$?; rm -f ${shQuote(script)}; exit $rc`, options);
  }

  private execInline(command: string, options: ExecOptions): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? this.options.commandTimeoutMs;
    return this.track("exec", timeoutMs, command, (resolve, reject, onTimeout) => {
      this.connected().exec(command, (err, channel) => {
        if (err) {
          reject(new DeviceError(this.device, "exec", `cannot open a channel: ${err.message}`));
          return;
        }
        onTimeout(() => killChannel(channel));
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let code: number | null = null;
        let signal: string | undefined;
        channel.on("data", (chunk: Buffer) => stdout.push(chunk));
        channel.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        channel.on("exit", (exitStatus: number | null, exitSignal?: string) => {
          code = exitStatus;
          signal = exitSignal;
        });
        channel.on("close", () => {
          if (code === null && signal === undefined) {
            // no exit status at all: the server went away mid-command
            reject(new DeviceError(this.device, "exec", `no exit status for: ${command}`));
            return;
          }
          resolve({ code: exitCode(code, signal), stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
        });
        channel.end(options.stdin ?? "");
      });
    });
  }

  readFile(devicePath: string): Promise<Buffer | null> {
    return this.withSftp("read", devicePath, (sftp, resolve, reject) => {
      sftp.readFile(devicePath, (err: (Error & { code?: number }) | null | undefined, data: Buffer) => {
        if (!err) resolve(data);
        else if (err.code === SFTP_NO_SUCH_FILE) resolve(null);
        else reject(new DeviceError(this.device, "read", `cannot read ${devicePath}: ${err.message}`));
      });
    });
  }

  writeFile(devicePath: string, content: Buffer | string): Promise<void> {
    return this.withSftp("write", devicePath, (sftp, resolve, reject) => {
      sftp.writeFile(devicePath, content, (err: Error | null | undefined) => {
        if (err) reject(new DeviceError(this.device, "write", `cannot write ${devicePath}: ${err.message}`));
        else resolve();
      });
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.fail("the connection was closed by scconf");
    if (!client || this.ended) return;
    await endSshClient(client);
  }

  private connected(): Client {
    if (this.lost) throw this.lost;
    if (!this.client) throw new DeviceError(this.device, "connect", "not connected");
    return this.client;
  }

  private fail(reason: string): void {
    if (this.lost) return;
    this.lost = new DeviceError(this.device, "connection", reason);
    for (const reject of this.pending) reject(this.lost);
    this.pending.clear();
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= this.track("sftp", this.options.connectTimeoutMs, "sftp", (resolve, reject) => {
      this.connected().sftp((err, sftp) => {
        if (err) reject(new DeviceError(this.device, "sftp", `cannot open SFTP: ${err.message}`));
        else resolve(sftp);
      });
    });
    // a failed session is not cached: the next call reports the real reason again
    this.sftpSession.catch(() => {
      this.sftpSession = undefined;
    });
    return this.sftpSession;
  }

  private async withSftp<T>(
    step: string,
    devicePath: string,
    run: (sftp: SFTPWrapper, resolve: (value: T) => void, reject: (err: DeviceError) => void) => void,
  ): Promise<T> {
    const sftp = await this.sftp();
    return this.track(step, this.options.commandTimeoutMs, devicePath, (resolve, reject) => run(sftp, resolve, reject));
  }

  /** Runs one operation so that a timeout or a dropped connection settles it exactly once. */
  private track<T>(
    step: string,
    timeoutMs: number,
    what: string,
    run: (resolve: (value: T) => void, reject: (err: DeviceError) => void, onTimeout: (cleanup: () => void) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // channels of a lost connection never answer: fail now rather than at the timeout
      if (this.lost) {
        reject(this.lost);
        return;
      }
      let settled = false;
      let cleanup: (() => void) | undefined;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.pending.delete(failPending);
        fn();
      };
      const failPending = (err: DeviceError) => settle(() => reject(err));
      const timer = setTimeout(() => {
        cleanup?.();
        settle(() => reject(new DeviceError(this.device, step, `timed out after ${timeoutMs} ms: ${what}`)));
      }, timeoutMs);
      this.pending.add(failPending);
      try {
        run(
          (value) => settle(() => resolve(value)),
          (err) => settle(() => reject(err)),
          (fn) => {
            cleanup = fn;
          },
        );
      } catch (err) {
        settle(() => reject(err instanceof DeviceError ? err : new DeviceError(this.device, step, (err as Error).message)));
      }
    });
  }
}

/** What opening an SSH connection to a device needs (a subset of SshHostOptions). */
export type SshConnectOptions = Pick<SshHostOptions, "baseDir" | "connectTimeoutMs" | "env">;

/**
 * Opens an authenticated SSH connection to an inventory device: the pinned
 * host key is checked before any credential is sent (HostKeyError otherwise),
 * credentials come from the inventory's auth method. Shared by the file
 * driver (exec + SFTP) and the ssh-cli driver (interactive shell).
 */
export async function openSshClient(spec: Device, options: SshConnectOptions): Promise<Client> {
  const device = spec.name;
  if (!spec.address) throw new DeviceError(device, "connect", "no address in the inventory");
  const hostKey = pinnedHostKey(spec.hostKey);
  const config: ConnectConfig = {
    host: spec.address,
    port: spec.port ?? 22,
    username: spec.user ?? os.userInfo().username,
    readyTimeout: options.connectTimeoutMs,
    keepaliveInterval: 5_000,
    keepaliveCountMax: 3,
    hostVerifier: (key: Buffer) => hostKey.verify(key),
    ...(await credentials(spec, options)),
  };
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      client.removeListener("ready", onReady);
      client.end();
      if (hostKey.seen !== undefined && hostKey.seen !== hostKey.expected) {
        reject(new HostKeyError(device, hostKey.seen, hostKey.expected));
      } else {
        reject(new DeviceError(device, "connect", `${config.host}:${config.port}: ${err.message}`));
      }
    };
    const onReady = () => {
      client.removeListener("error", onError);
      resolve();
    };
    client.once("ready", onReady);
    client.once("error", onError);
    client.connect(config);
  });
  return client;
}

async function credentials(spec: Device, options: SshConnectOptions): Promise<Partial<ConnectConfig>> {
  const auth = spec.auth;
  if (!auth) throw new DeviceError(spec.name, "connect", "no auth method in the inventory (key, agent or password)");
  switch (auth.method) {
    case "key": {
      const file = expandHome(auth.keyFile, options.baseDir);
      try {
        return { privateKey: await readFile(file) };
      } catch (err) {
        throw new DeviceError(spec.name, "connect", `cannot read the key file ${file}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
      }
    }
    case "agent": {
      const socket = options.env[auth.socketEnv];
      if (!socket) throw new DeviceError(spec.name, "connect", `the agent socket variable ${auth.socketEnv} is not set`);
      return { agent: socket };
    }
    case "password": {
      // the value is never put into a message or a log, only its variable's name
      const password = options.env[auth.passwordEnv];
      if (!password) throw new DeviceError(spec.name, "connect", `the password variable ${auth.passwordEnv} is not set`);
      return { password };
    }
  }
}

function killChannel(channel: ClientChannel): void {
  try {
    // OpenSSH honours signal requests since 7.9; older servers ignore them, and closing the channel is all we can do
    channel.signal("KILL");
  } catch {
    // the channel is already gone
  }
  channel.close();
}

/** Ends an SSH connection politely, and for sure after `graceMs` (a dead peer never answers). */
export function endSshClient(client: Client, graceMs = 2_000): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      resolve();
    }, graceMs);
    client.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}
