// The comparable form of a CLI artifact: what the device reads back, so that
// plan compares like with like. Pure (no ssh2), so the plan layer can load it
// without the transport.
import type { Artifact } from "../../model/types.js";
import { canonicalFortiosCli } from "./fortios-config.js";
import { canonicalJunosSet } from "./junos-set.js";

export function canonicalCliArtifact(artifact: Pick<Artifact, "format" | "content">): string {
  switch (artifact.format) {
    case "junos-set":
      return canonicalJunosSet(artifact.content);
    case "fortios-cli":
      return canonicalFortiosCli(artifact.content);
    default:
      return artifact.content;
  }
}
