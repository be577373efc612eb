// Checks the nginx artifact with the real `nginx -t` in a throwaway prefix.
// nginx -t opens every file the configuration names (certificates, logs, the
// pid file), so the harness moves those paths under the prefix and puts a
// self-signed test certificate where the artifact expects each certificate.
// nginx -t exits 0 on warnings such as a conflicting server name; with -q it
// prints only problems, so a "[warn]" line fails the check too.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { DeviceConfig } from "../../model/types.js";
import { findProgram, runTool, type ToolResult } from "./run.js";
import type { CheckOutcome, LocalChecker } from "./types.js";

export interface TestCertificate {
  cert: string;
  key: string;
}

/** One self-signed EC certificate per scratch directory, made once and copied wherever a config expects one. */
export async function testCertificate(dir: string): Promise<TestCertificate> {
  const cert = join(dir, "scconf-test.crt");
  const key = join(dir, "scconf-test.key");
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  mkdirSync(dir, { recursive: true });
  const r = await runTool("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=scconf-check",
  ]);
  if (r.code !== 0) throw new Error(`openssl could not make a test certificate: ${r.stderr}`);
  return { cert, key };
}

/** Copies `source` to `target`, creating its directory. */
export function place(source: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
}

export function notInstalled(config: DeviceConfig, programs: readonly string[]): CheckOutcome[] | undefined {
  const missing = programs.filter((p) => !findProgram(p));
  if (!missing.length) return undefined;
  return [{ device: config.device, checked: false, ok: false, tool: missing.join(", "), output: `not checked: ${missing.join(", ")} not installed` }];
}

export function toolOutcome(config: DeviceConfig, artifact: string | undefined, tool: string, r: ToolResult, ok: boolean): CheckOutcome {
  const extra = r.timedOut ? "\n(timed out)" : "";
  return { device: config.device, ...(artifact ? { artifact } : {}), checked: true, ok: ok && !r.timedOut, tool, output: (r.stdout + r.stderr).trim() + extra };
}

const FILE_DIRECTIVE = /^(\s*)(ssl_certificate|ssl_certificate_key|proxy_ssl_trusted_certificate|ssl_trusted_certificate|access_log|error_log)(\s+)(\/[^\s;]+)/;

export const nginxChecker: LocalChecker = {
  programs: ["nginx", "openssl"],
  async check(config, workdir) {
    const missing = notInstalled(config, this.programs);
    if (missing) return missing;
    const prefix = join(workdir, "nginx");
    const root = join(prefix, "root");
    mkdirSync(join(prefix, "logs"), { recursive: true });
    const test = await testCertificate(prefix);
    const includes: string[] = [];
    for (const a of config.artifacts) {
      const lines = a.content.split("\n").map((line) => {
        const m = FILE_DIRECTIVE.exec(line);
        if (!m) return line;
        const [indent = "", directive = "", space = "", path = ""] = m.slice(1);
        const moved = join(root, path);
        if (directive === "ssl_certificate_key") place(test.key, moved);
        else if (directive.endsWith("certificate")) place(test.cert, moved);
        else mkdirSync(dirname(moved), { recursive: true });
        return indent + directive + space + moved + line.slice(m[0].length);
      });
      const file = join(prefix, a.id);
      writeFileSync(file, lines.join("\n"));
      includes.push(`    include ${file};`);
    }
    const conf = join(prefix, "nginx.conf");
    writeFileSync(
      conf,
      [
        `pid ${prefix}/nginx.pid;`,
        `error_log ${prefix}/logs/error.log;`,
        "events {}",
        "http {",
        `    access_log ${prefix}/logs/access.log;`,
        ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `    ${t}_temp_path ${prefix}/${t}_temp;`),
        ...includes,
        "}",
        "",
      ].join("\n"),
    );
    const args = ["-t", "-q", "-e", `${prefix}/logs/error.log`, "-p", `${prefix}/`, "-c", conf];
    const r = await runTool("nginx", args, { timeoutMs: 30_000 });
    const ok = r.code === 0 && !/\[(warn|error|crit|alert|emerg)\]/.test(r.stderr);
    return [toolOutcome(config, undefined, `nginx ${args.join(" ")}`, r, ok)];
  },
};
