/** The centred card of the pages a person sees before signing in. */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <main id="main" className="min-h-screen flex items-center justify-center p-4">
      <div className="card w-full max-w-md p-6 sm:p-8 flex flex-col gap-6">
        <div className="flex items-center gap-3">
          <img src="/favicon.svg" alt="" width={32} height={32} />
          <span className="text-lg font-bold">{t("app.name")}</span>
        </div>
        <h1 className="text-2xl font-bold">{title}</h1>
        {children}
      </div>
    </main>
  );
}
