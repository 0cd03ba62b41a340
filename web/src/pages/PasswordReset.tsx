/** Asking for a reset link (/forgot-password) and using it (/reset-password?token=…). */
import { Link } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { auth } from "../api/clients.js";
import { formError, type FormError } from "../api/errors.js";
import { preferences } from "../lib/preferences.js";
import { Button, Field, Notice } from "../ui/controls.js";
import { AuthCard } from "./AuthCard.js";

export function ForgotPassword() {
  const { t } = useTranslation();
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<FormError>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email") ?? "");
    try {
      await auth.requestPasswordReset({ email, locale: preferences.language() });
      setSent(true);
    } catch (err) {
      setError(formError(err));
    }
  }

  return (
    <AuthCard title={t("reset.askTitle")}>
      {sent ? (
        <Notice tone="ok">{t("reset.sent")}</Notice>
      ) : (
        <form className="flex flex-col gap-4" onSubmit={submit} noValidate>
          <p className="text-muted">{t("reset.askHint")}</p>
          {error && !error.fields.email && <Notice tone="error">{error.message}</Notice>}
          <Field label={t("signIn.email")} name="email" type="email" autoComplete="email" required
            error={error?.fields.email} />
          <Button type="submit">{t("reset.send")}</Button>
        </form>
      )}
      <Link to="/sign-in" className="text-sm underline text-muted">{t("reset.back")}</Link>
    </AuthCard>
  );
}

export function ResetPassword({ token }: { token: string }) {
  const { t } = useTranslation();
  const [done, setDone] = useState(false);
  const [needsCode, setNeedsCode] = useState(false);
  const [error, setError] = useState<FormError>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      await auth.resetPassword({
        token,
        newPassword: String(form.get("newPassword") ?? ""),
        totpCode: String(form.get("totpCode") ?? ""),
      });
      setDone(true);
    } catch (err) {
      const failure = formError(err);
      if (failure.fields.totpCode) setNeedsCode(true);
      setError(failure);
    }
  }

  return (
    <AuthCard title={t("reset.title")}>
      {done ? (
        <Notice tone="ok">{t("reset.done")}</Notice>
      ) : (
        <form className="flex flex-col gap-4" onSubmit={submit} noValidate>
          {error && Object.keys(error.fields).length === 0 && <Notice tone="error">{error.message}</Notice>}
          <Field label={t("reset.newPassword")} name="newPassword" type="password" autoComplete="new-password"
            required error={error?.fields.newPassword} />
          {needsCode && (
            <Field label={t("signIn.totp")} name="totpCode" inputMode="numeric" autoComplete="one-time-code"
              error={error?.fields.totpCode} />
          )}
          <Button type="submit">{t("reset.submit")}</Button>
        </form>
      )}
      <Link to="/sign-in" className="text-sm underline text-muted">{t("reset.back")}</Link>
    </AuthCard>
  );
}
