// Every fixed text of the work procedure (作業手順書), in Japanese and English.
// The step titles, actions, expectations and rollbacks come from the step list
// (src/apply/steps.ts) in both languages; everything else is here.
import type { StepId } from "../../apply/steps.js";

export type Lang = "ja" | "en";
export const LANGS: readonly Lang[] = ["ja", "en"];

export interface Messages {
  title: string;
  meta: { plan: string; createdAt: string; preparedBy: string; revision: string; devices: string; planFile: string; language: string };
  purpose: { heading: string; requester: string; preparedBy: string; changes: string; none: string; minor: string; needsApproval: string; needsWindow: string; ops: Record<"add" | "change" | "remove", string> };
  approvals: { heading: string; by: string; at: string; comment: string; none: string; notCommitted: string; gate: string };
  window: { heading: string; required: string; notRequired: string; windows: string; noWindows: string; closedDays: string; timeZone: string; estimate: (total: string) => string; noEstimate: string };
  prerequisites: {
    heading: string;
    general: string[];
    device: string;
    access: string;
    backups: string;
    returnsTo: string;
    generations: (n: number) => string;
    none: string;
    generation: (n: number) => string;
    newBackup: (n: number) => string;
    nothingToReturnTo: string;
    local: (root: string) => string;
    pinned: string;
    notPinned: string;
  };
  steps: {
    heading: string;
    run: string;
    rehearse: string;
    artifacts: string;
    columns: { no: string; step: string; action: string; expect: string; verify: string; rollback: string; duration: string; operator: string; checker: string };
    checkbox: string;
    total: string;
    notMeasured: string;
    verify: Record<StepId, string>;
  };
  decision: { heading: string; text: (timeout: number) => string[] };
  rollback: { heading: string; automatic: (timeout: number) => string; manual: string; rehearseFirst: string; verifyAfter: string; noGeneration: string };
  rehearsal: { heading: string; source: (file: string, at: string, dryRun: boolean) => string; otherPlan: (plan: string) => string; total: string };
  contacts: { heading: string; org: string; name: string; role: string; email: string; phone: string; none: string };
  signOff: { heading: string; operator: string; checker: string; date: string; result: string };
  kinds: Record<string, string>;
}

const VERIFY_JA: Record<StepId, string> = {
  connect: "進捗行に「ok Connect」が出る",
  lock: "進捗行に「ok Lock」が出る（他者が保持中なら中止）",
  fetch: "進捗行に「ok Read」が出る（stale plan なら中止し計画を作り直す）",
  backup: "scconf generations DEVICE に作業前の世代がある",
  stage: "進捗行に「ok Stage」が出る",
  validate: "進捗行に「ok Validate」が出る（検証コマンドの出力を確認）",
  commit: "進捗行に「ok Commit」が出る",
  verify: "進捗行に「ok Post-check」が出る。サービス影響がないことを目視確認",
  confirm: "進捗行に「ok Confirm」が出る",
  record: "scconf generations DEVICE に新しい世代がある",
  discard: "scconf drift -d DEVICE で差分がない",
  unlock: "ロックが残っていない（scconf drift が lock held を報告しない）",
};

const VERIFY_EN: Record<StepId, string> = {
  connect: "the progress line shows \"ok Connect\"",
  lock: "the progress line shows \"ok Lock\" (stops when someone else holds it)",
  fetch: "the progress line shows \"ok Read\" (a stale plan stops: make a new plan)",
  backup: "scconf generations DEVICE lists the state before the change",
  stage: "the progress line shows \"ok Stage\"",
  validate: "the progress line shows \"ok Validate\" (read the checker's output)",
  commit: "the progress line shows \"ok Commit\"",
  verify: "the progress line shows \"ok Post-check\"; check the service by hand",
  confirm: "the progress line shows \"ok Confirm\"",
  record: "scconf generations DEVICE lists the new generation",
  discard: "scconf drift -d DEVICE shows no difference",
  unlock: "no lock remains (scconf drift reports no held lock)",
};

export const MESSAGES: Record<Lang, Messages> = {
  ja: {
    title: "作業手順書",
    meta: { plan: "計画ID", createdAt: "計画作成日時", preparedBy: "計画作成者", revision: "インベントリ版", devices: "対象機器", planFile: "計画ファイル", language: "言語" },
    purpose: {
      heading: "目的と依頼元",
      requester: "依頼元（接続団体）",
      preparedBy: "作成者",
      changes: "変更内容",
      none: "設定意図の変更はありません（機器の設定を再生成して揃えます）。",
      minor: "軽微",
      needsApproval: "要承認",
      needsWindow: "作業時間帯内のみ",
      ops: { add: "追加", change: "変更", remove: "削除" },
    },
    approvals: { heading: "承認", by: "承認者", at: "承認日時", comment: "コメント", none: "承認は記録されていません。承認を得てから実施してください。", notCommitted: "（未コミット：承認としては数えません）", gate: "apply はコミット済みのインベントリが描画する内容だけを送り、機器が最後に適用されたリビジョンの変更ポリシーで判定します。機器の root 権限を持つ者の操作はこの確認の外にあります。" },
    window: {
      heading: "作業時間帯",
      required: "この変更は保守時間帯内に実施してください。",
      notRequired: "変更ポリシー上、保守時間帯の指定はありません。",
      windows: "保守時間帯",
      noWindows: "保守時間帯は定義されていません。",
      closedDays: "閉庁日",
      timeZone: "時間帯",
      estimate: (t) => `所要時間の見込み（リハーサル実測）: ${t}`,
      noEstimate: "所要時間の実測はありません（--rehearsal で指定）。",
    },
    prerequisites: {
      heading: "前提条件",
      general: [
        "scconf validate がエラーなしで終わること",
        "計画ファイルの計画IDが本書の計画IDと一致すること",
        "作業者と確認者の2名がそろっていること（ダブルチェック）",
        "リハーサル（scconf apply --dry-run）が成功していること",
      ],
      device: "機器",
      access: "接続",
      backups: "バックアップ",
      returnsTo: "切り戻し先の世代",
      generations: (n) => `${n} 世代あり`,
      none: "なし",
      generation: (n) => `第${n}世代`,
      newBackup: (n) => `第${n}世代（作業開始時にバックアップ）`,
      nothingToReturnTo: "なし（作業前は対象設定なし）",
      local: (root) => `ローカル ${root}`,
      pinned: "ホスト鍵登録済",
      notPinned: "ホスト鍵未登録",
    },
    steps: {
      heading: "作業手順",
      run: "実行コマンド",
      rehearse: "リハーサル",
      artifacts: "変更する設定",
      columns: { no: "No.", step: "手順", action: "実行内容", expect: "期待結果", verify: "確認方法", rollback: "切り戻し", duration: "所要時間", operator: "作業者", checker: "確認者" },
      checkbox: "☐",
      total: "合計",
      notMeasured: "—",
      verify: VERIFY_JA,
    },
    decision: {
      heading: "判断ポイント",
      text: (t) => [
        `反映（Commit）後、事後確認（Post-check）が成功しサービスに影響がないことを確認してから確定（Confirm）します。`,
        `異常があれば確定しないこと。${t}秒以内に確定されなければ機器が自動で元の設定に戻ります。`,
        "手順が失敗した場合、scconf は自動で切り戻します。結果が unknown の場合は直ちに責任者へ連絡してください。",
      ],
    },
    rollback: {
      heading: "切り戻し手順",
      automatic: (t) => `確定前：scconf が自動で切り戻す（または${t}秒の確認タイマー満了で機器が戻す）。`,
      manual: "確定後：次のコマンドで作業前の世代に戻す",
      rehearseFirst: "まず切り戻しのリハーサル",
      verifyAfter: "切り戻し後の確認",
      noGeneration: "作業前の世代がないため、世代への切り戻しはできません（確定前の自動切り戻しのみ）。",
    },
    rehearsal: {
      heading: "リハーサル実績",
      source: (f, at, dry) => `${f}（${at}、${dry ? "dry-run" : "実機適用"}）の実測値`,
      otherPlan: (p) => `注意：実測は別の計画（${p}）のものです。`,
      total: "全体の合計",
    },
    contacts: { heading: "連絡先", org: "団体", name: "氏名", role: "役割", email: "メール", phone: "電話", none: "影響を受ける団体はありません。" },
    signOff: { heading: "実施記録", operator: "作業者", checker: "確認者", date: "実施日時", result: "結果" },
    kinds: { firewall: "ファイアウォール", urlFilter: "URLフィルタ", ipsExceptions: "IDS/IPS", reverseProxy: "リバースプロキシ", dns: "DNS", mailRelay: "メールリレー", spamExclusions: "スパム対策除外" },
  },
  en: {
    title: "Work procedure",
    meta: { plan: "Plan id", createdAt: "Plan created", preparedBy: "Prepared by", revision: "Inventory revision", devices: "Devices", planFile: "Plan file", language: "Language" },
    purpose: {
      heading: "Purpose and requester",
      requester: "Requested by (organizations)",
      preparedBy: "Prepared by",
      changes: "Changes",
      none: "No change of intent (the devices' configuration is rendered again and brought in line).",
      minor: "minor",
      needsApproval: "needs approval",
      needsWindow: "window only",
      ops: { add: "add", change: "change", remove: "remove" },
    },
    approvals: { heading: "Approvals", by: "Approved by", at: "At", comment: "Comment", none: "No approval is recorded. Obtain one before applying.", notCommitted: "(not committed: does not count as an approval)", gate: "apply pushes only what the committed inventory renders, judged by the change policy of the revision the devices were last brought to; a person with root on a device is outside what this gate can check." },
    window: {
      heading: "Window",
      required: "This change must be applied inside a maintenance window.",
      notRequired: "The change policy requires no maintenance window for this change.",
      windows: "Maintenance windows",
      noWindows: "No maintenance window is defined.",
      closedDays: "Closed days",
      timeZone: "Time zone",
      estimate: (t) => `Expected duration (measured in rehearsal): ${t}`,
      noEstimate: "No measured duration (pass --rehearsal).",
    },
    prerequisites: {
      heading: "Prerequisites",
      general: [
        "scconf validate ends without errors",
        "the plan id of the plan file is the plan id of this document",
        "an operator and a checker are both present (double check)",
        "the rehearsal (scconf apply --dry-run) succeeded",
      ],
      device: "Device",
      access: "Access",
      backups: "Backups",
      returnsTo: "Rollback generation",
      generations: (n) => `${n} generation(s)`,
      none: "none",
      generation: (n) => `generation ${n}`,
      newBackup: (n) => `generation ${n} (backed up when the work starts)`,
      nothingToReturnTo: "none (the device had none of the artifacts)",
      local: (root) => `local ${root}`,
      pinned: "host key pinned",
      notPinned: "host key NOT pinned",
    },
    steps: {
      heading: "Steps",
      run: "Command",
      rehearse: "Rehearsal",
      artifacts: "Artifacts changed",
      columns: { no: "No.", step: "Step", action: "Action", expect: "Expected result", verify: "How to verify", rollback: "Rollback", duration: "Duration", operator: "Operator", checker: "Checker" },
      checkbox: "☐",
      total: "Total",
      notMeasured: "—",
      verify: VERIFY_EN,
    },
    decision: {
      heading: "Decision point",
      text: (t) => [
        "After the commit, confirm only when the post-check succeeded and the service is unaffected.",
        `If anything looks wrong, do not confirm: the device reverts by itself unless confirmed within ${t} s.`,
        "When a step fails scconf rolls back by itself. An \"unknown\" outcome: call the person in charge at once.",
      ],
    },
    rollback: {
      heading: "Rollback",
      automatic: (t) => `Before the confirm: scconf reverts by itself (or the device does when the ${t} s confirm timer runs out).`,
      manual: "After the confirm: return to the generation before the change with",
      rehearseFirst: "rehearse the rollback first",
      verifyAfter: "verify after the rollback",
      noGeneration: "There is no generation from before the change (only the automatic revert before the confirm).",
    },
    rehearsal: {
      heading: "Rehearsal",
      source: (f, at, dry) => `measured in ${f} (${at}, ${dry ? "dry-run" : "real apply"})`,
      otherPlan: (p) => `Note: the measurements are of another plan (${p}).`,
      total: "Overall total",
    },
    contacts: { heading: "Contacts", org: "Organization", name: "Name", role: "Role", email: "E-mail", phone: "Phone", none: "No organization is affected." },
    signOff: { heading: "Record of the work", operator: "Operator", checker: "Checker", date: "Date and time", result: "Result" },
    kinds: { firewall: "firewall", urlFilter: "URL filter", ipsExceptions: "IDS/IPS", reverseProxy: "reverse proxy", dns: "DNS", mailRelay: "mail relay", spamExclusions: "spam exclusions" },
  },
};
