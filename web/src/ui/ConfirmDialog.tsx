/**
 * The confirmation every destructive action asks for: what will happen, a cancel that is focused
 * first, and the action in the danger colour. The caller passes every text (from its catalogue)
 * and shows the API's error inside, so a refused action says why without closing.
 */
import type { ReactNode } from "react";
import { Button, Notice } from "./controls.js";
import { Dialog } from "./Dialog.js";

interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: string;
  confirmLabel: string;
  cancelLabel: string;
  onConfirm: () => void;
  busy?: boolean;
  error?: string;
  children?: ReactNode;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  const { open, onOpenChange, title, description, confirmLabel, cancelLabel, onConfirm, busy, error, children } = props;
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={title} description={description}
      footer={
        <>
          <Button variant="secondary" type="button" autoFocus onClick={() => onOpenChange(false)}>{cancelLabel}</Button>
          <Button variant="secondary" className="btn-danger" type="button" disabled={busy} aria-busy={busy} onClick={onConfirm}>{confirmLabel}</Button>
        </>
      }>
      {children}
      {error && <Notice tone="error">{error}</Notice>}
    </Dialog>
  );
}
