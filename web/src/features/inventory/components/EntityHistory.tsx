/**
 * Field-level history of one entity (HistoryService.ListEntityHistory): who changed which
 * field from what to what, and when in the person's time zone; newest first.
 */
import { toJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { history } from "../../../api/clients.js";
import { useLocale } from "../../../app/useLocale.js";
import { ChangeOperation, type EntityType, type FieldChange } from "../../../gen/eventkit/v1/history_pb.js";
import { formatDateTime, toDate } from "../../../lib/format.js";
import { fetchAll, KEY, useLookups } from "../data/queries.js";
import { useCan } from "../data/permissions.js";
import { newestFirst, valueText, type Json } from "../logic/historyValues.js";
import { useActorName } from "../data/useActorName.js";
import { QueryNotice } from "./QueryNotice.js";

export function EntityHistory({ entityType, entityId }: { entityType: EntityType; entityId: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const can = useCan();
  const actor = useActorName();
  const lookups = useLookups();
  const changes = useQuery({
    queryKey: [KEY, "history", entityType, entityId],
    queryFn: () =>
      fetchAll<FieldChange>(async (pageToken) => {
        const a = await history.listEntityHistory({ entityType, entityId, page: { pageSize: 500, pageToken } });
        return { items: a.changes, next: a.page?.nextPageToken ?? "" };
      }),
    enabled: can.history,
  });
  if (!can.history) return null;

  // Ids of products, locations and cases read as their names.
  const value = (field: string, v: FieldChange["oldValue"]) => {
    const text = valueText(v ? (toJson(ValueSchema, v) as Json) : undefined);
    if (!field.endsWith("_id")) return text;
    const c = lookups.cases.get(text);
    return lookups.products.get(text)?.name ?? lookups.locations.get(text)?.name ?? (c ? `${c.code} · ${c.name}` : text);
  };
  const list = newestFirst(changes.data ?? []);

  return (
    <section className="card p-4 flex flex-col gap-3" aria-labelledby="history-title">
      <h2 id="history-title" className="text-lg font-semibold">{t("inventory.history.title")}</h2>
      <QueryNotice loading={changes.isPending} error={changes.error} />
      {changes.isSuccess && list.length === 0 && <p className="text-muted">{t("inventory.history.empty")}</p>}
      <ol className="flex flex-col divide-y divide-line">
        {list.map((change) => (
          <li key={change.id} className="py-2 flex flex-col gap-1 sm:flex-row sm:flex-wrap sm:items-baseline sm:gap-x-3">
            <span className="font-mono text-sm">{change.field}</span>
            <span className="break-all">
              {change.operation === ChangeOperation.CREATE ? (
                <>{t("inventory.history.set")} <strong>{value(change.field, change.newValue)}</strong></>
              ) : change.operation === ChangeOperation.DELETE ? (
                <>{t("inventory.history.removed")} <s>{value(change.field, change.oldValue)}</s></>
              ) : (
                <>
                  <span className="text-muted">{value(change.field, change.oldValue)}</span>
                  <span aria-hidden="true"> → </span>
                  <span className="sr-only">{t("inventory.history.to")}</span>
                  <strong>{value(change.field, change.newValue)}</strong>
                </>
              )}
            </span>
            <span className="text-sm text-muted sm:ml-auto">
              {actor(change.actor)} · <time>{formatDateTime(toDate(change.createTime), locale)}</time>
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
