// Findings are values with a location, rendered one way everywhere.

export type Severity = "error" | "warning";

export type PathSegment = string | number;

export interface Diagnostic {
  severity: Severity;
  /** a short stable code, e.g. "schema", "tenant-isolation", "shadowed-rule" */
  code: string;
  file: string;
  line: number;
  column: number;
  /** the field's path in the file, e.g. "firewall[2].to[0]" */
  path: string;
  message: string;
  hint?: string;
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out || "(top)";
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.column}`;
  const head = `${where}: ${d.severity}: ${d.path}: ${d.message} [${d.code}]`;
  return d.hint ? `${head}\n    hint: ${d.hint}` : head;
}

export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message),
  );
}

export function countBySeverity(list: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of list) {
    if (d.severity === "error") errors++;
    else warnings++;
  }
  return { errors, warnings };
}
