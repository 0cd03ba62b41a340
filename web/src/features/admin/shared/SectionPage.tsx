/**
 * The frame of one admin section: its heading, a line on what it is for, its actions. (AdminLayout
 * shows a section only to holders of its permission.) Also the lists' shared states.
 */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Notice } from "../../../ui/controls.js";

interface SectionPageProps {
  title: string;
  intro?: string;
  actions?: ReactNode;
  children: ReactNode;
}

export function SectionPage({ title, intro, actions, children }: SectionPageProps) {
  return (
    <section aria-labelledby="admin-section-title" className="flex min-w-0 flex-col gap-4">
      <div className="flex flex-wrap items-start gap-3">
        <div className="mr-auto flex min-w-0 flex-col gap-1">
          <h2 id="admin-section-title" className="text-xl font-bold">{title}</h2>
          {intro && <p className="text-sm text-muted">{intro}</p>}
        </div>
        {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** What a list says when it has nothing: what it would hold and what to do next. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="card p-6 text-muted">{children}</p>;
}

/** A failed read, with the API's message. */
export function LoadError({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const message = error instanceof Error ? error.message : String(error);
  return <Notice tone="error">{t("errors.generic", { message })}</Notice>;
}

/** Shown while a list's first page loads. */
export function Loading() {
  const { t } = useTranslation();
  return <p className="text-muted" role="status">{t("app.loading")}</p>;
}

/** The button under a list that fetches its next page. */
export function LoadMore({ hasMore, loading, onMore }: { hasMore: boolean; loading: boolean; onMore: () => void }) {
  const { t } = useTranslation();
  if (!hasMore) return null;
  return (
    <div className="flex justify-center">
      <button type="button" className="btn btn-secondary" disabled={loading} aria-busy={loading} onClick={onMore}>
        {loading ? t("app.loading") : t("admin.loadMore")}
      </button>
    </div>
  );
}
