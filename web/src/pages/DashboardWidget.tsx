/** The frame of every dashboard widget: a titled card, an optional control, the empty state. */
import type { ReactNode } from "react";

interface WidgetProps {
  id: string;
  title: string;
  empty: string;
  isEmpty: boolean;
  /** A control beside the title (e.g. the period). */
  action?: ReactNode;
  children: ReactNode;
}

export function Widget({ id, title, empty, isEmpty, action, children }: WidgetProps) {
  return (
    <section className="card p-5 flex flex-col gap-3" aria-labelledby={id}>
      <div className="flex items-center gap-2">
        <h2 id={id} className="text-lg font-semibold mr-auto">{title}</h2>
        {action}
      </div>
      {isEmpty && <p className="text-muted">{empty}</p>}
      <ul className="flex flex-col divide-y divide-line">{children}</ul>
    </section>
  );
}
