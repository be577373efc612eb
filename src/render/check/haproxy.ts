// Checks the haproxy artifact with the real `haproxy -c`, after a harness
// file that stands for the device's haproxy.cfg (global and defaults).
// -dW makes every warning fatal, so the exit code alone decides. haproxy
// opens the certificate directory and CA files, so those paths move into the
// scratch directory and hold a self-signed test certificate.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { notInstalled, place, testCertificate, toolOutcome } from "./nginx.js";
import { runTool } from "./run.js";
import type { LocalChecker } from "./types.js";

const HARNESS = `# stands for the device's haproxy.cfg
global
    log stderr format short local0 notice
defaults
    mode http
    log global
    timeout connect 5s
    timeout client 30s
    timeout server 30s
`;

/** crt DIR/ | crt FILE | ca-file FILE */
const FILE_ARG = /\b(crt|ca-file)(\s+)(\/[^\s]+)/g;

export const haproxyChecker: LocalChecker = {
  programs: ["haproxy", "openssl"],
  async check(config, workdir) {
    const missing = notInstalled(config, this.programs);
    if (missing) return missing;
    const dir = join(workdir, "haproxy");
    const root = join(dir, "root");
    mkdirSync(dir, { recursive: true });
    const test = await testCertificate(dir);
    const pem = readFileSync(test.cert, "utf8") + readFileSync(test.key, "utf8");
    writeFileSync(join(dir, "scconf-test.pem"), pem);
    const harness = join(dir, "harness.cfg");
    writeFileSync(harness, HARNESS);
    const args = ["-dW", "-c", "-f", harness];
    for (const a of config.artifacts) {
      const content = a.content.replace(FILE_ARG, (_all, keyword: string, space: string, path: string) => {
        const moved = join(root, path) + (path.endsWith("/") ? "/" : "");
        if (keyword === "ca-file") place(test.cert, moved);
        else if (path.endsWith("/")) place(join(dir, "scconf-test.pem"), join(moved, "scconf-test.pem"));
        else place(join(dir, "scconf-test.pem"), moved);
        return `${keyword}${space}${moved}`;
      });
      const file = join(dir, a.id);
      writeFileSync(file, content);
      args.push("-f", file);
    }
    const r = await runTool("haproxy", args, { timeoutMs: 30_000 });
    return [toolOutcome(config, undefined, `haproxy ${args.join(" ")}`, r, r.code === 0)];
  },
};
