import { describe, expect, it } from "vitest";
import { sameProcess } from "../../src/workflow/lab/process.js";

describe("lab process identity", () => {
  const started = ["/usr/sbin/sshd", "-D", "-e", "-f", "/tmp/x/.scconf/lab/sshd/sshd_config", "-p", "4242"];

  it("recognises sshd after OpenSSH rewrote its process title", () => {
    expect(sameProcess(["sshd: /usr/sbin/sshd -D -e -f /tmp/x/.scconf/lab/sshd/sshd_config -p 4242 [listener] 3 of 50-50 startups"], started)).toBe(true);
  });

  it("recognises a title recorded already rewritten, whatever its connection counter says now", () => {
    const recorded = ["sshd: /usr/sbin/sshd -D -e -f /tmp/x/.scconf/lab/sshd/sshd_config -p 4242 [listener] 1 of 50-50 startups"];
    expect(sameProcess(["sshd: /usr/sbin/sshd -D -e -f /tmp/x/.scconf/lab/sshd/sshd_config -p 4242 [listener] 0 of 50-50 startups"], recorded)).toBe(true);
  });

  it("refuses a reused pid that runs another program or another lab's sshd", () => {
    expect(sameProcess(["/usr/bin/vim", "notes.txt"], started)).toBe(false);
    expect(sameProcess(["sshd: /usr/sbin/sshd -D -e -f /tmp/y/.scconf/lab/sshd/sshd_config -p 4242 [listener]"], started)).toBe(false);
    expect(sameProcess(["/usr/sbin/sshd", "-D"], ["/usr/sbin/sshd", "-D", "-e"])).toBe(false);
  });
});
