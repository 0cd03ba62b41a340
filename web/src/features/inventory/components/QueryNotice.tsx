/** What a page shows while a read loads or after it failed (with the API's message). */
import { ConnectError } from "@connectrpc/connect";
import { useTranslation } from "react-i18next";
import { Notice } from "../../../ui/controls.js";

export function QueryNotice({ loading, error }: { loading?: boolean; error?: unknown }) {
  const { t } = useTranslation();
  if (error) return <Notice tone="error">{t("errors.generic", { message: ConnectError.from(error).rawMessage })}</Notice>;
  if (loading) return <p className="text-muted" role="status">{t("app.loading")}</p>;
  return null;
}
