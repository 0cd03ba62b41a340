/**
 * Shows a new secret (an API key, a webhook signing secret) once: the value, a copy button and a
 * clear warning that it will not be shown again. The secret lives only in the opener's state;
 * closing the dialog drops it. Nothing stores it (no cache, no storage, no URL).
 */
import { useTranslation } from "react-i18next";
import { Button, Notice } from "../../../ui/controls.js";
import { CopyButton } from "../../../ui/CopyButton.js";
import { Dialog } from "../../../ui/Dialog.js";

interface SecretDialogProps {
  /** Undefined closes the dialog. */
  secret: string | undefined;
  title: string;
  /** How to use the secret, e.g. "Send it as Authorization: Bearer …". */
  usage: string;
  onClose: () => void;
}

export function SecretDialog({ secret, title, usage, onClose }: SecretDialogProps) {
  const { t } = useTranslation();
  return (
    <Dialog open={secret !== undefined} onOpenChange={(open) => !open && onClose()} title={title} description={usage}
      footer={<Button type="button" onClick={onClose}>{t("admin.secret.done")}</Button>}>
      <Notice tone="info">
        <strong>{t("admin.secret.once")}</strong>
      </Notice>
      <label className="field">
        <span className="field-label">{t("admin.secret.label")}</span>
        <textarea className="input font-mono text-sm break-all" readOnly rows={3} value={secret ?? ""}
          spellCheck={false} autoComplete="off" onFocus={(e) => e.currentTarget.select()} />
      </label>
      <CopyButton value={secret ?? ""} label={t("admin.copy")} copiedLabel={t("admin.copied")} failedLabel={t("admin.copyFailed")} />
    </Dialog>
  );
}
