// Host key pinning. The inventory pins each device's key as OpenSSH prints it
// (`ssh-keygen -lf`, `SHA256:` + unpadded base64 of the SHA-256 of the key
// blob); a device that presents another key, or a device without a pin, is
// refused before any credential is sent.
import { createHash } from "node:crypto";
import { Client } from "ssh2";
import { DeviceError } from "./driver.js";

/** The OpenSSH SHA256 fingerprint of a raw public key blob (the wire format, as in authorized_keys after base64 decoding). */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** Remembers what a device presented, so that a refusal can name both fingerprints. */
export interface HostKeyCheck {
  /** ssh2's synchronous hostVerifier: true only for the pinned key */
  verify(keyBlob: Buffer): boolean;
  /** the fingerprint the device presented, once it did */
  readonly seen: string | undefined;
  readonly expected: string | undefined;
}

export function pinnedHostKey(expected: string | undefined): HostKeyCheck {
  let seen: string | undefined;
  return {
    expected,
    get seen() {
      return seen;
    },
    verify(keyBlob: Buffer): boolean {
      seen = sha256Fingerprint(keyBlob);
      return expected !== undefined && seen === expected;
    },
  };
}

/**
 * Connects only far enough to see the host key and returns its fingerprint,
 * for `scconf trust`: the operator compares it out of band before pinning it.
 */
export function fetchHostKeyFingerprint(address: string, port = 22, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let fingerprint: string | undefined;
    const finish = (err?: Error) => {
      client.removeAllListeners();
      client.on("error", () => {
        // late errors of a connection we are abandoning
      });
      client.end();
      if (fingerprint) resolve(fingerprint);
      else reject(err ?? new DeviceError(`${address}:${port}`, "host key", "the server closed the connection before presenting a host key"));
    };
    client.on("error", (err) => finish(fingerprint ? undefined : new DeviceError(`${address}:${port}`, "host key", err.message)));
    client.on("close", () => finish());
    client.connect({
      host: address,
      port,
      username: "scconf-trust",
      readyTimeout: timeoutMs,
      // refusing the key ends the handshake before authentication: nothing is sent
      hostVerifier: (keyBlob: Buffer) => {
        fingerprint = sha256Fingerprint(keyBlob);
        return false;
      },
    });
  });
}
