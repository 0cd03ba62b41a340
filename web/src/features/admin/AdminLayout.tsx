/**
 * The admin portal's frame: the sections the person may open, as a side list on a laptop and a
 * select on a phone, and the open section beside or below (only with the section's permission).
 * `/admin` itself opens the first one.
 */
import { Link, Navigate, Outlet, useNavigate, useRouterState } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { Notice } from "../../ui/controls.js";
import { sectionOf, sectionsFor } from "./sections.js";
import { useHeld } from "./shared/queries.js";

export function AdminLayout() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const held = useHeld();
  const sections = sectionsFor(held);
  const current = sectionOf(pathname);
  // A section opened by its address without its permission: its screens never mount or call.
  const allowed = !current || held.includes(current.permission);

  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">{t("admin.title")}</h1>
      {sections.length === 0 ? (
        <Notice tone="info">{t("admin.noSections")}</Notice>
      ) : (
        <div className="grid gap-6 lg:grid-cols-[14rem_minmax(0,1fr)]">
          <nav aria-label={t("admin.sectionsNav")}>
            <div className="lg:hidden">
              <label className="field">
                <span className="field-label">{t("admin.section")}</span>
                <select className="select" value={current?.to ?? ""}
                  onChange={(e) => {
                    const next = sections.find((s) => s.to === e.target.value);
                    if (next) void navigate({ to: next.to });
                  }}>
                  {!current && <option value="">{t("admin.chooseSection")}</option>}
                  {sections.map((s) => (
                    <option key={s.to} value={s.to}>{t(`admin.sections.${s.key}`)}</option>
                  ))}
                </select>
              </label>
            </div>
            <ul className="hidden lg:flex flex-col gap-1">
              {sections.map((s) => (
                <li key={s.to}>
                  <Link to={s.to} className="block rounded-md px-3 py-2 text-muted hover:text-fg"
                    activeProps={{ className: "bg-raised !text-fg font-semibold", "aria-current": "page" }}>
                    {t(`admin.sections.${s.key}`)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="min-w-0">
            {allowed ? <Outlet /> : <Notice tone="info">{t("admin.noPermission")}</Notice>}
          </div>
        </div>
      )}
    </div>
  );
}

/** `/admin`: straight on to the first section the person may open. */
export function AdminIndex() {
  const first = sectionsFor(useHeld())[0];
  return first ? <Navigate to={first.to} replace /> : null;
}
