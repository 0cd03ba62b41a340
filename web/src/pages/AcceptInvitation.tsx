/** /accept-invitation?token=…: join a tenant, with a new account or an existing one. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { auth } from "../api/clients.js";
import { formError, type FormError } from "../api/errors.js";
import { meQuery } from "../app/session.js";
import { Button, Field, Notice } from "../ui/controls.js";
import { AuthCard } from "./AuthCard.js";

export function AcceptInvitation({ token }: { token: string }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<FormError>();
  const invitation = useQuery({
    queryKey: ["invitation", token],
    queryFn: () => auth.getInvitation({ token }),
    retry: false,
  });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      await auth.acceptInvitation({
        token,
        displayName: String(form.get("displayName") ?? ""),
        password: String(form.get("password") ?? ""),
      });
      await queries.fetchQuery({ ...meQuery, staleTime: 0 });
      await navigate({ to: "/" });
    } catch (err) {
      setError(formError(err));
    }
  }

  if (invitation.isPending) return <AuthCard title={t("app.loading")}>{null}</AuthCard>;
  if (invitation.isError) {
    return (
      <AuthCard title={t("invitation.title", { tenant: "EventKit" })}>
        <Notice tone="error">{t("invitation.invalid")}</Notice>
      </AuthCard>
    );
  }
  const { tenantName, email, accountExists } = invitation.data;
  return (
    <AuthCard title={t("invitation.title", { tenant: tenantName })}>
      <p className="text-muted">{t("invitation.invited", { email })}</p>
      <form className="flex flex-col gap-4" onSubmit={submit} noValidate>
        {error && Object.keys(error.fields).length === 0 && <Notice tone="error">{error.message}</Notice>}
        {accountExists ? (
          <p>{t("invitation.existing")}</p>
        ) : (
          <Field label={t("invitation.name")} name="displayName" autoComplete="name"
            error={error?.fields.displayName} />
        )}
        <Field label={accountExists ? t("signIn.password") : t("invitation.password")} name="password"
          type="password" autoComplete={accountExists ? "current-password" : "new-password"} required
          error={error?.fields.password} />
        <Button type="submit">{t("invitation.submit")}</Button>
      </form>
    </AuthCard>
  );
}
