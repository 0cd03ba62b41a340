/**
 * The frame of every signed-in page: navigation built from the person's permissions, and one
 * account menu (named by the current company) with the company switcher, theme, language and
 * sign-out, so the header stays one row on a laptop. On a phone the navigation wraps below.
 */
import { useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { Link, Outlet, useNavigate } from "@tanstack/react-router";
import * as Popover from "@radix-ui/react-popover";
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { navigationFor } from "../lib/navigation.js";
import { preferences, THEMES, type Theme } from "../lib/preferences.js";
import { meQuery, signOut, switchTenant } from "./session.js";

const CommandPalette = lazy(() => import("../features/palette/CommandPalette.js"));

/** Ctrl/Cmd+K opens the palette, from anywhere in the signed-in app. */
function usePaletteShortcut(open: () => void) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
        event.preventDefault();
        open();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);
}

export function Shell() {
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const { data: me } = useSuspenseQuery(meQuery);
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [paletteUsed, setPaletteUsed] = useState(false);
  const openPalette = useCallback(() => {
    setPaletteUsed(true);
    setPaletteOpen(true);
  }, []);
  usePaletteShortcut(openPalette);
  if (!me) return null;
  const items = navigationFor(me.permissions);

  return (
    <div className="min-h-screen flex flex-col">
      <a href="#main" className="skip-link">{t("app.skip")}</a>
      <header className="border-b border-line bg-surface">
        <div className="mx-auto max-w-7xl px-4 py-3 flex flex-wrap items-center gap-x-6 gap-y-3">
          <Link to="/" className="flex items-center gap-2 font-bold">
            <img src="/favicon.svg" alt="" width={28} height={28} />
            {t("app.name")}
          </Link>
          <nav aria-label={t("nav.main")} className="order-last w-full sm:order-none sm:w-auto">
            <ul className="flex flex-wrap gap-1">
              {items.map((item) => (
                <li key={item.to}>
                  <Link to={item.to} className="block rounded-md px-3 py-2 text-muted hover:text-fg"
                    activeProps={{ className: "bg-raised !text-fg font-semibold" }}
                    activeOptions={{ exact: item.to === "/" }}>
                    {t(item.label)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="ml-auto flex items-center gap-2">
            <button type="button" className="btn btn-ghost text-muted hidden sm:inline-flex" onClick={openPalette}>
              {t("palette.hint")}
            </button>
            <Popover.Root>
              <Popover.Trigger className="btn btn-secondary max-w-56" aria-label={t("nav.accountFor", { name: me.displayName || me.email })}>
                <span className="truncate">{me.tenant?.name ?? t("nav.account")}</span>
                <span aria-hidden="true">▾</span>
              </Popover.Trigger>
              <Popover.Portal>
                <Popover.Content align="end" sideOffset={6} className="card z-50 flex w-72 flex-col gap-3 p-4 shadow-lg">
                  <p className="text-sm">
                    <span className="block font-semibold">{me.displayName || me.email}</span>
                    <span className="block text-muted break-all">{me.email}</span>
                  </p>
                  <label className="field-label" htmlFor="tenant-switch">{t("nav.tenant")}</label>
                  <select id="tenant-switch" className="select" value={me.tenant?.tenantId}
                    onChange={(e) => void switchTenant(queries, e.target.value)}>
                    {me.tenants.map((tenant) => (
                      <option key={tenant.tenantId} value={tenant.tenantId}>{tenant.name}</option>
                    ))}
                  </select>
                  <label className="field-label" htmlFor="theme-switch">{t("settings.theme")}</label>
                  <select id="theme-switch" className="select" defaultValue={preferences.theme()}
                    onChange={(e) => preferences.setTheme(e.target.value as Theme)}>
                    {THEMES.map((theme) => (
                      <option key={theme} value={theme}>{t(`settings.${theme}`)}</option>
                    ))}
                  </select>
                  <label className="field-label" htmlFor="language-switch">{t("settings.language")}</label>
                  <select id="language-switch" className="select" value={i18n.language}
                    onChange={(e) => {
                      const language = e.target.value === "de" ? "de" : "en";
                      preferences.setLanguage(language);
                      void i18n.changeLanguage(language);
                    }}>
                    <option value="en">English</option>
                    <option value="de">Deutsch</option>
                  </select>
                  <button type="button" className="btn btn-secondary"
                    onClick={() => void signOut(queries).then(() => navigate({ to: "/sign-in" }))}>
                    {t("nav.signOut")}
                  </button>
                </Popover.Content>
              </Popover.Portal>
            </Popover.Root>
          </div>
        </div>
      </header>
      {paletteUsed && (
        <Suspense fallback={null}>
          <CommandPalette open={paletteOpen} onOpenChange={setPaletteOpen} items={items} permissions={me.permissions} />
        </Suspense>
      )}
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-6">
        <Outlet />
      </main>
    </div>
  );
}
