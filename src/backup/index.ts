// The backup store's public surface: the generation store, redaction, the
// detector, and their types. Other layers import from here, not from the parts.
export { GenerationStore, type Snapshot, type StoreOptions } from "./store.js";
export type { Generation } from "./history.js";
export type { DeviceMeta, RecordEntry, RecordKind, RecordMeta, StoredArtifact } from "./layout.js";
export { sha256 } from "./layout.js";
export { redact, redactionToken, REDACTION_TOKEN } from "./redact.js";
export { detectSecrets, type SecretFinding } from "./detect.js";
export { loadRedactionKey } from "./key.js";
export { SecretLeakError, StoreError } from "./errors.js";
