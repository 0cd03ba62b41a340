/** The frame of an inventory page: the section's links, a heading and the page's actions. */
import type { ReactNode } from "react";
import { InventoryNav } from "./InventoryNav.js";

export function InventoryPage({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby="inv-title" className="flex flex-col gap-4">
      <InventoryNav />
      <div className="flex flex-wrap items-center gap-3">
        <h1 id="inv-title" className="text-2xl font-bold mr-auto break-all">{title}</h1>
        {actions}
      </div>
      {children}
    </section>
  );
}
