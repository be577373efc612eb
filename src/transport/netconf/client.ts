// A NETCONF client over SSH (RFC 6241, RFC 6242), written over ssh2's
// subsystem channel because the npm netconf clients accept any host key, only
// speak base:1.0, decode packets piecewise and hang when a session drops.
// Every failure ends as a rejected promise: stream errors never escape.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { Client, type ClientChannel, type ConnectConfig } from "ssh2";
import { FrameDecoder, FramingError, decodeMessage, encodeMessage, type Framing } from "./framing.js";
import {
  BASE_10,
  BASE_11,
  ProtocolError,
  RpcFailedError,
  failures,
  helloXml,
  parseHello,
  parseRpcReply,
  type RpcReply,
} from "./messages.js";
import { NC_NS, parseXml, type XmlElement } from "./xml.js";

/** A subtree filter that selects nothing: the cheapest RPC every server answers (with empty data or an error). */
const SETTLE_PROBE = '<get-config><source><running/></source><filter type="subtree"><session-probe xmlns="urn:scconf:probe"/></filter></get-config>';

export type Datastore = "running" | "candidate" | "startup";

export type NetconfAuth =
  | { privateKey: Buffer | string; passphrase?: string }
  | { agent: string }
  | { password: string };

export interface NetconfConnectOptions {
  host: string;
  port: number;
  username: string;
  auth: NetconfAuth;
  /** the pinned "SHA256:..." fingerprint; the connection is refused on any other key */
  hostKey: string | undefined;
  /** ms for TCP + SSH handshake + hello (default 20 s) */
  connectTimeoutMs?: number;
  /** default ms one RPC may take (default 60 s) */
  rpcTimeoutMs?: number;
  /** an already connected stream to run SSH over (tests use it to cut the connection) */
  sock?: Readable;
  /** capabilities to advertise; default base:1.0 and base:1.1 */
  capabilities?: string[];
}

/** The server presented a host key other than the pinned one. */
export class HostKeyMismatch extends Error {
  constructor(
    readonly seen: string,
    readonly expected: string | undefined,
  ) {
    super(`host key ${seen} is not the pinned ${expected ?? "(none)"}`);
    this.name = "HostKeyMismatch";
  }
}

/** The session ended (or failed) before the RPC was answered. */
export class SessionClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SessionClosedError";
  }
}

export class RpcTimeoutError extends Error {
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`${operation}: no reply within ${timeoutMs} ms`);
    this.name = "RpcTimeoutError";
  }
}

/** OpenSSH's form: base64 of the SHA-256 of the key blob, without padding. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

interface Pending {
  operation: string;
  resolve: (reply: RpcReply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface CommitOptions {
  /** arm the server's revert timer */
  confirmed?: boolean;
  /** seconds (RFC 6241 default 600) */
  confirmTimeout?: number;
}

export class NetconfClient {
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private closedBy: Error | null = null;
  private constructor(
    private readonly ssh: Client,
    private readonly channel: ClientChannel,
    private readonly decoder: FrameDecoder,
    readonly sessionId: string,
    readonly serverCapabilities: readonly string[],
    private readonly rpcTimeoutMs: number,
  ) {}

  static connect(options: NetconfConnectOptions): Promise<NetconfClient> {
    return new Promise((resolve, reject) => {
      const ssh = new Client();
      const timeoutMs = options.connectTimeoutMs ?? 20_000;
      let seenKey: string | undefined;
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ssh.end();
        reject(error);
      };
      const timer = setTimeout(() => fail(new SessionClosedError(`no NETCONF hello within ${timeoutMs} ms`)), timeoutMs);
      // permanent: an 'error' without a listener would crash the process
      ssh.on("error", (err: Error) => {
        if (seenKey !== undefined && seenKey !== options.hostKey) fail(new HostKeyMismatch(seenKey, options.hostKey));
        else fail(err);
      });
      ssh.on("close", () => fail(new SessionClosedError("the SSH connection closed during setup")));
      ssh.on("ready", () => {
        ssh.subsys("netconf", (err, channel) => {
          if (err) return fail(err);
          NetconfClient.hello(ssh, channel, options).then(
            (client) => {
              if (settled) return void client.close();
              settled = true;
              clearTimeout(timer);
              resolve(client);
            },
            (e: unknown) => fail(e instanceof Error ? e : new Error(String(e))),
          );
        });
      });
      const config: ConnectConfig = {
        host: options.host,
        port: options.port,
        username: options.username,
        readyTimeout: timeoutMs,
        // a silently dead peer is noticed within ~30 s instead of never
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          seenKey = sshFingerprint(key);
          return options.hostKey !== undefined && seenKey === options.hostKey;
        },
        ...("privateKey" in options.auth ? { privateKey: options.auth.privateKey, passphrase: options.auth.passphrase } : {}),
        ...("agent" in options.auth ? { agent: options.auth.agent } : {}),
        ...("password" in options.auth ? { password: options.auth.password } : {}),
        ...(options.sock ? { sock: options.sock } : {}),
      };
      try {
        ssh.connect(config);
      } catch (e) {
        fail(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Exchanges hellos in end-of-message framing, then switches to chunked iff both sides speak base:1.1. */
  private static hello(ssh: Client, channel: ClientChannel, options: NetconfConnectOptions): Promise<NetconfClient> {
    return new Promise((resolve, reject) => {
      const decoder = new FrameDecoder("eom");
      let done = false;
      const onData = (data: Buffer) => {
        if (done) return;
        try {
          decoder.push(data);
          const message = decoder.next();
          if (!message) return;
          done = true;
          const hello = parseHello(parseXml(decodeMessage(message)));
          if (!hello.capabilities.includes(BASE_10) && !hello.capabilities.includes(BASE_11)) {
            throw new ProtocolError("the server speaks neither base:1.0 nor base:1.1");
          }
          if (!hello.sessionId) throw new ProtocolError("the server's hello has no session-id");
          const ours = options.capabilities ?? [BASE_10, BASE_11];
          channel.write(encodeMessage(helloXml(ours), "eom"));
          channel.off("data", onData);
          channel.off("close", onClose);
          const both11 = ours.includes(BASE_11) && hello.capabilities.includes(BASE_11);
          // the same decoder goes on: bytes after the server's hello are the start of the next message
          decoder.framing = both11 ? "chunked" : "eom";
          const client = new NetconfClient(ssh, channel, decoder, hello.sessionId, hello.capabilities, options.rpcTimeoutMs ?? 60_000);
          client.start();
          client.settle().then(() => resolve(client), (e: unknown) => {
            client.shutdown(e instanceof Error ? e : new Error(String(e)));
            reject(e instanceof Error ? e : new Error(String(e)));
          });
        } catch (e) {
          done = true;
          channel.off("data", onData);
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      };
      const onClose = () => reject(new SessionClosedError("the server closed the netconf subsystem before its hello"));
      channel.on("data", onData);
      channel.on("close", onClose);
      channel.on("error", () => {
        /* reported through 'close' */
      });
      channel.stderr.on("data", () => {
        /* the subsystem's stderr is not part of the protocol */
      });
    });
  }

  private start(): void {
    this.channel.on("data", (data: Buffer) => this.onData(data));
    this.onData(Buffer.alloc(0)); // whatever came in the hello's packet after it
    this.channel.on("close", () => this.shutdown(new SessionClosedError("the NETCONF session closed")));
    this.ssh.on("close", () => this.shutdown(new SessionClosedError("the SSH connection closed")));
    this.ssh.on("error", (err: Error) => this.shutdown(new SessionClosedError(`the SSH connection failed: ${err.message}`)));
  }

  get framing(): Framing {
    return this.decoder.framing;
  }

  get closed(): boolean {
    return this.closedBy !== null;
  }

  hasCapability(uri: string): boolean {
    return this.serverCapabilities.some((c) => c === uri || c.startsWith(`${uri}?`));
  }

  private onData(data: Buffer): void {
    if (this.closedBy) return;
    try {
      this.decoder.push(data);
      for (let m = this.decoder.next(); m; m = this.decoder.next()) this.onMessage(decodeMessage(m));
    } catch (e) {
      // after a framing error the stream cannot be resynchronised
      const kind = e instanceof FramingError ? "framing" : "protocol";
      const why = e instanceof Error ? e.message : String(e);
      this.shutdown(new SessionClosedError(`${kind} error, session dropped: ${why}`));
    }
  }

  private onMessage(text: string): void {
    const root = parseXml(text);
    if (root.local === "notification") return;
    const reply = parseRpcReply(root);
    const call = this.pending.get(reply.messageId);
    if (!call) return; // a reply to an RPC that already timed out
    this.pending.delete(reply.messageId);
    clearTimeout(call.timer);
    call.resolve(reply);
  }

  /**
   * Makes sure the server reads our messages before the caller's first RPC.
   * yuma123 netconfd holds back the bytes that arrive in the same read as our
   * <hello> and, since a 2021 change, picks them up only when more bytes
   * arrive (ses.c accept_buffer_ssh_v10 defers them; the re-dispatch in
   * agt_ncxserver.c is dead code): a lone first RPC can then wait forever, and
   * it does on a loaded machine. So the session starts with a probe that
   * selects nothing, and while its reply is missing a further probe is sent:
   * new bytes make the server read the held ones. Any reply, an rpc-error
   * included, shows that the session is past its hello.
   */
  async settle(): Promise<void> {
    const probe = () => this.rpc(SETTLE_PROBE, { operation: "session start" }).then(() => undefined, (e: unknown) => {
      if (e instanceof RpcFailedError) return;
      throw e;
    });
    const first = probe();
    let answered = false;
    void first.then(() => (answered = true), () => (answered = true));
    for (const waitMs of [500, 1_000, 2_000, 4_000]) {
      const timer = new Promise<void>((r) => setTimeout(r, waitMs).unref());
      await Promise.race([first.catch(() => undefined), timer]);
      if (answered) break;
      void probe().catch(() => undefined);
    }
    await first;
  }

  private shutdown(reason: Error): void {
    if (this.closedBy) return;
    this.closedBy = reason;
    for (const [id, call] of this.pending) {
      clearTimeout(call.timer);
      this.pending.delete(id);
      call.reject(reason);
    }
    this.ssh.end();
  }

  /**
   * Sends one <rpc> with `body` as its content and resolves with the reply.
   * Rejects with RpcFailedError when the reply has an rpc-error of severity
   * error (warnings are kept in reply.errors), with RpcTimeoutError, or with
   * SessionClosedError when the session ends first.
   */
  rpc(body: string, options: { timeoutMs?: number; operation?: string } = {}): Promise<RpcReply> {
    const operation = options.operation ?? /^<([\w-]+)/.exec(body)?.[1] ?? "rpc";
    if (this.closedBy) return Promise.reject(this.closedBy);
    const id = String(this.nextId++);
    const timeoutMs = options.timeoutMs ?? this.rpcTimeoutMs;
    return new Promise<RpcReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcTimeoutError(operation, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, {
        operation,
        timer,
        reject,
        resolve: (reply) => {
          const errors = failures(reply);
          if (errors.length > 0) reject(new RpcFailedError(operation, reply.errors));
          else resolve(reply);
        },
      });
      const xml = `<?xml version="1.0" encoding="UTF-8"?><rpc message-id="${id}" xmlns="${NC_NS}">${body}</rpc>`;
      try {
        this.channel.write(encodeMessage(xml, this.framing));
      } catch (e) {
        this.shutdown(new SessionClosedError(`write failed: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  }

  // ───────────────────────── operations (RFC 6241 §7, §8) ─────────────────────────

  lock(target: Datastore): Promise<RpcReply> {
    return this.rpc(`<lock><target><${target}/></target></lock>`);
  }

  unlock(target: Datastore): Promise<RpcReply> {
    return this.rpc(`<unlock><target><${target}/></target></unlock>`);
  }

  /** `config` is the XML inside <config>, carrying its own namespaces and nc:operation attributes */
  editConfig(target: Datastore, config: string, options: { rollbackOnError?: boolean } = {}): Promise<RpcReply> {
    const errorOption = options.rollbackOnError ? "<error-option>rollback-on-error</error-option>" : "";
    return this.rpc(`<edit-config><target><${target}/></target>${errorOption}<config>${config}</config></edit-config>`);
  }

  validate(source: Datastore): Promise<RpcReply> {
    return this.rpc(`<validate><source><${source}/></source></validate>`);
  }

  /** validates an inline configuration (not a datastore) */
  validateConfig(config: string): Promise<RpcReply> {
    return this.rpc(`<validate><source><config>${config}</config></source></validate>`);
  }

  commit(options: CommitOptions = {}): Promise<RpcReply> {
    if (!options.confirmed) return this.rpc("<commit/>");
    const timeout = options.confirmTimeout === undefined ? "" : `<confirm-timeout>${Math.floor(options.confirmTimeout)}</confirm-timeout>`;
    return this.rpc(`<commit><confirmed/>${timeout}</commit>`);
  }

  /** reverts an unconfirmed confirmed-commit now (:confirmed-commit:1.1) */
  cancelCommit(): Promise<RpcReply> {
    return this.rpc("<cancel-commit/>");
  }

  discardChanges(): Promise<RpcReply> {
    return this.rpc("<discard-changes/>");
  }

  /** returns the <data> element (empty when nothing matches) */
  async getConfig(source: Datastore, subtreeFilter?: string): Promise<XmlElement> {
    const filter = subtreeFilter === undefined ? "" : `<filter type="subtree">${subtreeFilter}</filter>`;
    const reply = await this.rpc(`<get-config><source><${source}/></source>${filter}</get-config>`);
    if (!reply.data) throw new ProtocolError("get-config reply without <data>");
    return reply.data;
  }

  /**
   * Ends the session politely when it is still up, then the SSH connection.
   * Never rejects: closing is best effort and the server drops the session
   * (releasing its locks) when the connection goes anyway.
   */
  async close(timeoutMs = 5_000): Promise<void> {
    if (!this.closedBy) {
      await this.rpc("<close-session/>", { timeoutMs }).catch(() => undefined);
    }
    this.shutdown(new SessionClosedError("the session was closed by the client"));
  }
}
