/**
 * Members of the tenant (ListUsers): name, email, roles, second factor and when they joined; each
 * opens the member's page to change roles or remove them. Invitations are one click away.
 */
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useLocale } from "../../../app/useLocale.js";
import { formatDate, toDate } from "../../../lib/format.js";
import { adminKeys } from "../shared/queries.js";
import { EmptyState, LoadError, LoadMore, Loading, SectionPage } from "../shared/SectionPage.js";
import { usePaged } from "../shared/usePaged.js";

export function UsersSection() {
  const { t } = useTranslation();
  const locale = useLocale();
  const users = usePaged(adminKeys.users, async (pageToken) => {
    const answer = await admin.listUsers({ page: { pageSize: 100, pageToken } });
    return { items: answer.users, next: answer.page?.nextPageToken ?? "" };
  });

  return (
    <SectionPage title={t("admin.sections.users")} intro={t("admin.users.intro")}
      actions={<Link to="/admin/invitations" className="btn btn-primary">{t("admin.users.invite")}</Link>}>
      {users.query.isPending ? <Loading /> : users.query.isError ? <LoadError error={users.query.error} /> : null}
      {users.query.isSuccess && users.items.length === 0 && <EmptyState>{t("admin.users.empty")}</EmptyState>}
      {users.items.length > 0 && (
        <ul className="card divide-y divide-line" aria-label={t("admin.sections.users")}>
          {users.items.map((user) => (
            <li key={user.id} className="flex flex-wrap items-center gap-x-4 gap-y-2 p-4">
              <div className="mr-auto flex min-w-0 flex-col">
                <Link to="/admin/users/$userId" params={{ userId: user.id }} className="font-semibold text-accent hover:underline break-words">
                  {user.displayName || user.email}
                </Link>
                <span className="text-sm text-muted break-all">{user.email}</span>
              </div>
              <ul className="flex flex-wrap gap-1" aria-label={t("admin.users.roles")}>
                {user.roles.map((role) => (
                  <li key={role.id} className="badge">{role.name}</li>
                ))}
              </ul>
              <span className={`badge ${user.totpEnabled ? "text-ok border-ok" : "text-warn border-warn"}`}>
                {user.totpEnabled ? t("admin.users.totpOn") : t("admin.users.totpOff")}
              </span>
              <span className="text-sm text-muted">
                {t("admin.users.joined", { date: formatDate(toDate(user.joinTime), locale) })}
              </span>
            </li>
          ))}
        </ul>
      )}
      <LoadMore {...users.more} />
    </SectionPage>
  );
}
