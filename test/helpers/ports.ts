// Loopback ports for the tests that run a real daemon: a free one, and a wait
// until the daemon accepts on it (an event, not a fixed sleep).
import net from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Connects to 127.0.0.1:port until it accepts; `gone` names why to stop early (the daemon exited). */
export async function accepting(port: number, what: string, timeoutMs: number, gone: () => string | undefined = () => undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, "127.0.0.1", () => (c.destroy(), r(true)));
      c.once("error", () => r(false));
    });
    if (ok) return;
    const why = gone();
    if (why) throw new Error(why);
    if (Date.now() > deadline) throw new Error(`${what} does not accept on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
