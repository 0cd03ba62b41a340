/**
 * A modal dialog on Radix (focus trapped, Escape closes, the title names it for screen readers).
 * Forms in dialogs put their submit button in `footer`.
 */
import * as Radix from "@radix-ui/react-dialog";
import type { ReactNode } from "react";

interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: string;
  children: ReactNode;
  footer?: ReactNode;
  /** `wide` for editors with tables; the default suits a short form. */
  size?: "default" | "wide";
}

export function Dialog({ open, onOpenChange, title, description, children, footer, size = "default" }: DialogProps) {
  return (
    <Radix.Root open={open} onOpenChange={onOpenChange}>
      <Radix.Portal>
        <Radix.Overlay className="dialog-overlay" />
        <Radix.Content className={`dialog-content card dialog-${size}`}>
          <Radix.Title className="text-lg font-semibold">{title}</Radix.Title>
          {description ? (
            <Radix.Description className="text-sm text-muted">{description}</Radix.Description>
          ) : (
            <Radix.Description className="sr-only">{title}</Radix.Description>
          )}
          <div className="flex flex-col gap-4">{children}</div>
          {footer && <div className="flex flex-wrap justify-end gap-2">{footer}</div>}
        </Radix.Content>
      </Radix.Portal>
    </Radix.Root>
  );
}
