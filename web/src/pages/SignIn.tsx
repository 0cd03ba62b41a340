/** Sign-in with a password, then the authenticator code (or a recovery code) when enrolled. */
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { auth } from "../api/clients.js";
import { formError, type FormError } from "../api/errors.js";
import { meQuery } from "../app/session.js";
import { Button, Field, Notice } from "../ui/controls.js";
import { AuthCard } from "./AuthCard.js";

export function SignIn() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [secondFactor, setSecondFactor] = useState<"none" | "totp" | "recovery">("none");
  const [error, setError] = useState<FormError>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      await auth.signIn({
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        totpCode: String(form.get("totpCode") ?? ""),
        recoveryCode: String(form.get("recoveryCode") ?? ""),
      });
      await queries.fetchQuery({ ...meQuery, staleTime: 0 });
      await navigate({ to: "/" });
    } catch (err) {
      const failure = formError(err);
      if (secondFactor === "none" && failure.fields.totpCode) {
        // The password was right: now the second factor.
        setSecondFactor("totp");
        setError(undefined);
      } else {
        setError(failure);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard title={t("signIn.title")}>
      <form className="flex flex-col gap-4" onSubmit={submit} noValidate>
        {error && !error.fields.totpCode && !error.fields.recoveryCode && (
          <Notice tone="error">{error.code === "unauthenticated" ? t("signIn.failed") : error.message}</Notice>
        )}
        <Field label={t("signIn.email")} name="email" type="email" autoComplete="username" required
          readOnly={secondFactor !== "none"} error={error?.fields.email} />
        <Field label={t("signIn.password")} name="password" type="password" autoComplete="current-password"
          required readOnly={secondFactor !== "none"} error={error?.fields.password} />
        {secondFactor === "totp" && (
          <>
            <Notice tone="info">{t("signIn.totpHint")}</Notice>
            <Field label={t("signIn.totp")} name="totpCode" inputMode="numeric" autoComplete="one-time-code"
              pattern="[0-9]*" maxLength={6} autoFocus error={error?.fields.totpCode} />
            <button type="button" className="text-left text-sm underline text-muted"
              onClick={() => setSecondFactor("recovery")}>
              {t("signIn.recovery")}
            </button>
          </>
        )}
        {secondFactor === "recovery" && (
          <Field label={t("signIn.recoveryCode")} name="recoveryCode" autoComplete="off" autoFocus
            error={error?.fields.recoveryCode} />
        )}
        <Button type="submit" disabled={busy}>
          {t("signIn.submit")}
        </Button>
        <Link to="/forgot-password" className="text-sm underline text-muted">
          {t("signIn.forgot")}
        </Link>
      </form>
    </AuthCard>
  );
}
