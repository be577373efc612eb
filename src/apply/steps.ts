// The steps of one device's transaction, as data. Apply executes exactly this
// list; dry-run prints it; the work procedure (作業手順書) is written from it.
// So the three cannot drift apart.
import type { DevicePlan } from "../plan/types.js";

export type StepId =
  | "connect"
  | "lock"
  | "fetch"
  | "backup"
  | "stage"
  | "validate"
  | "commit"
  | "verify"
  | "confirm"
  | "record"
  | "discard"
  | "unlock";

export interface StepDescription {
  id: StepId;
  device: string;
  title: { en: string; ja: string };
  /** what runs: the command, RPC or file operation */
  action: string;
  /** how to see that the step did what it should */
  expect: { en: string; ja: string };
  /** how to undo it if the step or a later one fails */
  rollback?: { en: string; ja: string };
}

export interface TransactionOptions {
  dryRun: boolean;
  confirmTimeout: number;
}

function stagingOf(plan: DevicePlan): string {
  if (plan.transport === "netconf") return "edit-config (replace) on the candidate datastore";
  return "upload to the staging directory /var/lib/scconf/stage";
}

/** The ordered steps for one device. Dry-run stops after validate and discards. */
export function describeTransaction(plan: DevicePlan, options: TransactionOptions): StepDescription[] {
  const d = plan.device;
  const changed = plan.artifacts.filter((a) => a.action !== "unchanged");
  const files = changed.map((a) => `${a.id} → ${a.path}`).join(", ") || "(nothing)";
  const steps: StepDescription[] = [
    {
      id: "connect", device: d,
      title: { en: "Connect to the device", ja: "機器へ接続" },
      action: plan.transport === "local" ? "open the local device directory" : `${plan.transport} connection with the pinned host key`,
      expect: { en: "connected; the host key matches the pinned fingerprint", ja: "接続完了、ホスト鍵が登録値と一致" },
    },
    {
      id: "lock", device: d,
      title: { en: "Lock the device against other operators", ja: "他の作業者を排除するため機器をロック" },
      action: plan.transport === "netconf" ? "<lock> on the candidate datastore" : "mkdir /var/lib/scconf/lock (atomic)",
      expect: { en: "lock held by this run", ja: "本作業がロックを保持" },
      rollback: { en: "unlock", ja: "ロック解除" },
    },
    {
      id: "fetch", device: d,
      title: { en: "Read the current artifacts and compare with the plan", ja: "現在の設定を取得し計画時と比較" },
      action: `read ${plan.artifacts.map((a) => a.id).join(", ")}; state hash must be ${plan.currentHash.slice(0, 12)}`,
      expect: { en: "the device runs what the plan saw (otherwise the plan is stale and the device is skipped)", ja: "計画時と同一（異なる場合は計画が古いため中止）" },
    },
    {
      id: "backup", device: d,
      title: { en: "Back up the current state as a generation", ja: "現在の設定を世代としてバックアップ" },
      action: "commit the current artifacts to the backups repository when they differ from the last generation",
      expect: { en: "the state before the change is a restorable generation", ja: "変更前の状態が復元可能な世代として保存" },
    },
    {
      id: "stage", device: d,
      title: { en: "Stage the new artifacts", ja: "新しい設定を仮配置" },
      action: `${stagingOf(plan)}: ${files}`,
      expect: { en: "staged content reads back with the planned hashes", ja: "仮配置した内容のハッシュが計画と一致" },
      rollback: { en: "discard the staged artifacts", ja: "仮配置を破棄" },
    },
    {
      id: "validate", device: d,
      title: { en: "Validate on the device", ja: "機器上で設定を検証" },
      action: plan.transport === "netconf" ? "<validate> of the staged configuration" : plan.checkCommand ?? "(no device-side check configured)",
      expect: { en: "the device's checker accepts the staged artifacts (exit code 0 / <ok/>)", ja: "機器の検証コマンドが受理（終了コード0 / <ok/>）" },
      rollback: { en: "discard the staged artifacts; the device is unchanged", ja: "仮配置を破棄（機器は変更なし）" },
    },
  ];
  if (options.dryRun) {
    steps.push({
      id: "discard", device: d,
      title: { en: "Rehearsal ends: discard", ja: "リハーサル終了：破棄" },
      action: plan.transport === "netconf" ? "<discard-changes>" : "remove the staging directory",
      expect: { en: "the device runs exactly what it ran before", ja: "機器の設定は作業前と同一" },
    });
  } else {
    steps.push(
      {
        id: "commit", device: d,
        title: { en: `Commit with a ${options.confirmTimeout} s confirm timer`, ja: `確認タイマー${options.confirmTimeout}秒付きで反映` },
        action: plan.transport === "netconf"
          ? `<commit><confirmed/><confirm-timeout>${options.confirmTimeout}</confirm-timeout></commit>`
          : `keep the previous files, atomic rename into place${plan.reloadCommand ? `, ${plan.reloadCommand}` : ""}, arm the device-side revert timer`,
        expect: { en: "the new artifacts are active; the device reverts by itself unless confirmed in time", ja: "新設定が有効。確認がなければ機器が自動で元に戻す" },
        rollback: { en: "revert now (restore the previous files and reload / <cancel-commit>); or wait for the timer", ja: "直ちに切り戻し（旧ファイル復元・再読込 / <cancel-commit>）、またはタイマー満了を待つ" },
      },
      {
        id: "verify", device: d,
        title: { en: "Post-check: reconnect and read back", ja: "事後確認：再接続して読み戻し" },
        action: "a new connection reads every artifact back and compares its hash with the plan",
        expect: { en: "the device is reachable and runs exactly the planned artifacts", ja: "機器に到達でき、計画どおりの設定で稼働" },
        rollback: { en: "revert now; the device returns to the backed-up generation", ja: "直ちに切り戻し（バックアップ世代に戻る）" },
      },
      {
        id: "confirm", device: d,
        title: { en: "Confirm the commit", ja: "反映を確定" },
        action: plan.transport === "netconf" ? "<commit/> (confirming commit)" : "disarm the revert timer",
        expect: { en: "the change is final", ja: "変更が確定" },
        rollback: { en: "scconf rollback DEVICE --to <previous generation>", ja: "scconf rollback DEVICE --to <直前の世代>" },
      },
    );
  }
  steps.push({
    id: "unlock", device: d,
    title: { en: "Unlock", ja: "ロック解除" },
    action: plan.transport === "netconf" ? "<unlock> the candidate" : "remove /var/lib/scconf/lock",
    expect: { en: "no lock remains", ja: "ロックが残っていない" },
  });
  if (!options.dryRun) {
    // after every device of the run: one backups commit records them all
    steps.push({
      id: "record", device: d,
      title: { en: "Record the new generation", ja: "新しい世代を記録" },
      action: "commit the new artifacts to the backups repository (one commit for the run, after every device)",
      expect: { en: "scconf generations DEVICE lists the new generation", ja: "scconf generations で新世代を確認" },
    });
  }
  return steps;
}
