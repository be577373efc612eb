// A loopback TCP proxy for fault injection: scconf connects to the proxy
// (point the device's `port` at it), the proxy connects to the real server
// (sshd, netconfd's sshd). The mode decides what happens to the bytes:
//
//   pass                          forward everything
//   cut after N bytes / k chunks  forward, then destroy both sockets once the
//                                 count is reached (counted from the moment the
//                                 mode was set, per direction or either)
//   delay                         forward every chunk after `ms`, in order
//   stall                         stop forwarding, keep the sockets open (a
//                                 hung device or a black-holing firewall)
//   down                          cut every open connection and close new ones at once
//
// After a cut the proxy goes to `then` (default "down": the device stays
// unreachable); tests that must prove a revert switch back with pass().
import net from "node:net";

export type Direction = "up" | "down" | "either";

export type ProxyMode =
  | { kind: "pass" }
  | { kind: "down" }
  | { kind: "stall" }
  | { kind: "delay"; ms: number }
  | { kind: "cutAfterBytes"; bytes: number; direction: Direction; then?: "pass" | "down" }
  | { kind: "cutOnChunk"; chunk: number; direction: Direction; then?: "pass" | "down" };

export interface ProxyStats {
  /** connections accepted since start */
  connections: number;
  /** connections open now */
  open: number;
  /** connections the proxy cut (destroyed) */
  cuts: number;
  bytesUp: number;
  bytesDown: number;
}

export interface TcpProxy {
  /** the port scconf should connect to (127.0.0.1) */
  readonly port: number;
  readonly stats: ProxyStats;
  /** the current mode */
  readonly mode: ProxyMode;
  setMode(mode: ProxyMode): void;
  pass(): void;
  /** destroys every open connection now; new connections go to `then` (default "down") */
  cutNow(then?: "pass" | "down"): void;
  stall(): void;
  delay(ms: number): void;
  cutAfterBytes(bytes: number, direction?: Direction, then?: "pass" | "down"): void;
  cutOnChunk(chunk: number, direction?: Direction, then?: "pass" | "down"): void;
  /** resolves once at least `n` cuts happened (for tests that wait for a byte-count cut) */
  waitForCuts(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  server: net.Socket;
  /** chunks held back while stalled, per direction, in order */
  held: { up: Buffer[]; down: Buffer[] };
  /** the tail of the delayed-forwarding chain, per direction */
  chain: { up: Promise<void>; down: Promise<void> };
}

export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const host = target.host ?? "127.0.0.1";
  const pairs = new Set<Pair>();
  const stats: ProxyStats = { connections: 0, open: 0, cuts: 0, bytesUp: 0, bytesDown: 0 };
  let mode: ProxyMode = { kind: "pass" };
  // counters of the current cut mode, reset whenever the mode is set
  let counted = { up: 0, down: 0, chunksUp: 0, chunksDown: 0 };
  const cutWaiters: Array<{ n: number; resolve: () => void }> = [];

  const destroyPair = (p: Pair, counts: boolean) => {
    if (!pairs.delete(p)) return;
    stats.open--;
    if (counts) {
      stats.cuts++;
      for (const w of cutWaiters.splice(0)) {
        if (stats.cuts >= w.n) w.resolve();
        else cutWaiters.push(w);
      }
    }
    // resetAndDestroy sends an RST, as a dropped link or a killed process would look
    for (const s of [p.client, p.server]) {
      if (s.destroyed) continue;
      try {
        s.resetAndDestroy();
      } catch {
        s.destroy();
      }
    }
  };

  const cutAll = (then: "pass" | "down") => {
    for (const p of [...pairs]) destroyPair(p, true);
    setMode(then === "pass" ? { kind: "pass" } : { kind: "down" });
  };

  function setMode(next: ProxyMode): void {
    const wasStalled = mode.kind === "stall";
    mode = next;
    counted = { up: 0, down: 0, chunksUp: 0, chunksDown: 0 };
    if (next.kind === "down") {
      for (const p of [...pairs]) destroyPair(p, true);
      return;
    }
    if (wasStalled && next.kind !== "stall") {
      // release what was held back, in order
      for (const p of pairs) {
        for (const dir of ["up", "down"] as const) {
          const out = dir === "up" ? p.server : p.client;
          for (const chunk of p.held[dir].splice(0)) if (!out.destroyed) out.write(chunk);
        }
      }
    }
  }

  const forward = (p: Pair, dir: "up" | "down", chunk: Buffer) => {
    const out = dir === "up" ? p.server : p.client;
    if (dir === "up") stats.bytesUp += chunk.length;
    else stats.bytesDown += chunk.length;
    const m = mode;
    switch (m.kind) {
      case "down":
        destroyPair(p, true);
        return;
      case "stall":
        p.held[dir].push(chunk);
        return;
      case "delay":
        p.chain[dir] = p.chain[dir].then(
          () =>
            new Promise<void>((resolve) =>
              setTimeout(() => {
                if (!out.destroyed) out.write(chunk);
                resolve();
              }, m.ms),
            ),
        );
        return;
      case "cutAfterBytes": {
        if (m.direction === "either" || m.direction === dir) {
          const seen = dir === "up" ? counted.up : counted.down;
          const room = m.bytes - seen;
          if (room <= 0) {
            cutAll(m.then ?? "down");
            return;
          }
          if (chunk.length >= room) {
            // forward exactly up to the limit, then cut
            if (!out.destroyed) out.write(chunk.subarray(0, room));
            if (dir === "up") counted.up += room;
            else counted.down += room;
            // let the partial write reach the peer before the RST
            setImmediate(() => cutAll(m.then ?? "down"));
            return;
          }
          if (dir === "up") counted.up += chunk.length;
          else counted.down += chunk.length;
        }
        break;
      }
      case "cutOnChunk": {
        if (m.direction === "either" || m.direction === dir) {
          const n = dir === "up" ? ++counted.chunksUp : ++counted.chunksDown;
          const total = m.direction === "either" ? counted.chunksUp + counted.chunksDown : n;
          if (total >= m.chunk) {
            // the k-th chunk is not delivered
            cutAll(m.then ?? "down");
            return;
          }
        }
        break;
      }
      case "pass":
        break;
    }
    if (!out.destroyed) out.write(chunk);
  };

  const server = net.createServer((client) => {
    stats.connections++;
    if (mode.kind === "down") {
      stats.cuts++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ host, port: target.port });
    const p: Pair = { client, server: upstream, held: { up: [], down: [] }, chain: { up: Promise.resolve(), down: Promise.resolve() } };
    pairs.add(p);
    stats.open++;
    client.on("data", (chunk: Buffer) => forward(p, "up", chunk));
    upstream.on("data", (chunk: Buffer) => forward(p, "down", chunk));
    // an orderly end on one side ends the other (unless stalled: a stalled link forwards nothing, not even FIN)
    client.on("end", () => {
      if (mode.kind !== "stall") upstream.end();
    });
    upstream.on("end", () => {
      if (mode.kind !== "stall") client.end();
    });
    const gone = () => destroyPair(p, false);
    client.on("close", gone);
    upstream.on("close", gone);
    client.on("error", gone);
    upstream.on("error", gone);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    port,
    stats,
    get mode() {
      return mode;
    },
    setMode,
    pass: () => setMode({ kind: "pass" }),
    cutNow: (then = "down") => cutAll(then),
    stall: () => setMode({ kind: "stall" }),
    delay: (ms) => setMode({ kind: "delay", ms }),
    cutAfterBytes: (bytes, direction = "either", then) => setMode({ kind: "cutAfterBytes", bytes, direction, ...(then ? { then } : {}) }),
    cutOnChunk: (chunk, direction = "either", then) => setMode({ kind: "cutOnChunk", chunk, direction, ...(then ? { then } : {}) }),
    waitForCuts: (n, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        if (stats.cuts >= n) return resolve();
        const timer = setTimeout(() => reject(new Error(`fewer than ${n} cuts within ${timeoutMs} ms`)), timeoutMs);
        cutWaiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of [...pairs]) destroyPair(p, false);
        server.close(() => resolve());
      }),
  };
}
