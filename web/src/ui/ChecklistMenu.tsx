/**
 * A button that opens a menu of checkable items and plain actions (Radix DropdownMenu,
 * keyboard and screen-reader ready): for choosing a table's columns or applying a saved view.
 */
import * as Menu from "@radix-ui/react-dropdown-menu";
import type { ReactNode } from "react";

export interface ChecklistItem {
  id: string;
  label: string;
  checked?: boolean;
  disabled?: boolean;
}

interface ChecklistMenuProps {
  label: ReactNode;
  /** Names the menu for screen readers when `label` is an icon or short. */
  ariaLabel?: string;
  items: ChecklistItem[];
  onSelect: (id: string) => void;
  /** Checkable items stay open on select, so several can be toggled in a row. */
  checkable?: boolean;
  empty?: string;
  footer?: ReactNode;
}

export function ChecklistMenu({ label, ariaLabel, items, onSelect, checkable, empty, footer }: ChecklistMenuProps) {
  return (
    <Menu.Root>
      <Menu.Trigger className="btn btn-secondary" aria-label={ariaLabel}>
        {label}
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content className="menu-content card" align="end" sideOffset={6}>
          {items.length === 0 && empty && <p className="menu-empty">{empty}</p>}
          {items.map((item) =>
            checkable ? (
              <Menu.CheckboxItem key={item.id} className="menu-item" checked={item.checked} disabled={item.disabled}
                onSelect={(e) => {
                  e.preventDefault();
                  onSelect(item.id);
                }}>
                <span className="menu-check" aria-hidden="true">{item.checked ? "✓" : ""}</span>
                {item.label}
              </Menu.CheckboxItem>
            ) : (
              <Menu.Item key={item.id} className="menu-item" disabled={item.disabled} onSelect={() => onSelect(item.id)}>
                {item.label}
              </Menu.Item>
            ),
          )}
          {footer && (
            <>
              <Menu.Separator className="menu-separator" />
              {footer}
            </>
          )}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}

export const ChecklistMenuAction = Menu.Item;
