/**
 * The assets table: full-text search and a status filter on the server, pages fetched as the
 * person scrolls, and only the rows on screen in the DOM (@tanstack/react-virtual), so 100,000
 * assets scroll as smoothly as ten.
 */
import { create } from "@bufbuild/protobuf";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../api/clients.js";
import { useLocale } from "../app/useLocale.js";
import { AssetStatus, ListAssetsRequestSchema } from "../gen/eventkit/v1/inventory_pb.js";
import { formatDate, toDate } from "../lib/format.js";

const ROW_HEIGHT = 44;
const PAGE_SIZE = 200;
const STATUSES = [
  AssetStatus.AVAILABLE,
  AssetStatus.CHECKED_OUT,
  AssetStatus.IN_REPAIR,
  AssetStatus.LOST,
  AssetStatus.RETIRED,
];

function useNames() {
  const products = useQuery({
    queryKey: ["products", "names"],
    queryFn: async () => {
      const names = new Map<string, string>();
      let pageToken = "";
      do {
        const answer = await inventory.listProducts({ page: { pageSize: 500, pageToken } });
        answer.products.forEach((p) => names.set(p.id, p.name));
        pageToken = answer.page?.nextPageToken ?? "";
      } while (pageToken);
      return names;
    },
    staleTime: 5 * 60_000,
  });
  const locations = useQuery({
    queryKey: ["locations", "names"],
    queryFn: async () => {
      const answer = await inventory.listLocations({ page: { pageSize: 500 } });
      return new Map(answer.locations.map((l) => [l.id, l.name]));
    },
    staleTime: 5 * 60_000,
  });
  return { products: products.data, locations: locations.data };
}

export function Assets() {
  const { t } = useTranslation();
  const locale = useLocale();
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<AssetStatus>(AssetStatus.UNSPECIFIED);
  const query = useDeferredValue(search.trim());
  const names = useNames();

  const assets = useInfiniteQuery({
    queryKey: ["assets", query, status],
    queryFn: ({ pageParam }) =>
      inventory.listAssets(
        create(ListAssetsRequestSchema, { query, status, page: { pageSize: PAGE_SIZE, pageToken: pageParam } }),
      ),
    initialPageParam: "",
    getNextPageParam: (last) => last.page?.nextPageToken || undefined,
  });
  const rows = useMemo(() => assets.data?.pages.flatMap((p) => p.assets) ?? [], [assets.data]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtual.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = assets;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rows.length - 20) void fetchNextPage();
  }, [lastIndex, rows.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const filtered = query !== "" || status !== AssetStatus.UNSPECIFIED;
  return (
    <section aria-labelledby="assets-title" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end gap-3">
        <h1 id="assets-title" className="text-2xl font-bold mr-auto">{t("assets.title")}</h1>
        <label className="field grow sm:grow-0 sm:w-80">
          <span className="sr-only">{t("assets.search")}</span>
          <input className="input" type="search" placeholder={t("assets.search")} value={search}
            onChange={(e) => setSearch(e.target.value)} />
        </label>
        <label className="field">
          <span className="sr-only">{t("assets.status")}</span>
          <select className="select" value={status} onChange={(e) => setStatus(Number(e.target.value))}>
            <option value={AssetStatus.UNSPECIFIED}>{t("assets.allStatuses")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>{t(`status.ASSET_STATUS_${AssetStatus[s]}`)}</option>
            ))}
          </select>
        </label>
      </div>
      <p className="text-sm text-muted" aria-live="polite">
        {t("assets.count", { count: rows.length })}
        {hasNextPage ? ` · ${t("assets.more")}` : ""}
      </p>
      {assets.isSuccess && rows.length === 0 ? (
        <p className="card p-6 text-muted">{filtered ? t("assets.noMatch") : t("assets.empty")}</p>
      ) : (
        <div className="card overflow-hidden" role="table" aria-label={t("assets.title")} aria-rowcount={rows.length + 1}>
          <div role="rowgroup" className="border-b border-line bg-raised text-sm font-semibold">
            <div role="row" className="asset-row">
              <span role="columnheader">{t("assets.code")}</span>
              <span role="columnheader">{t("assets.product")}</span>
              <span role="columnheader" className="hidden sm:block">{t("assets.serial")}</span>
              <span role="columnheader">{t("assets.status")}</span>
              <span role="columnheader" className="hidden md:block">{t("assets.location")}</span>
              <span role="columnheader" className="hidden lg:block">{t("assets.updated")}</span>
            </div>
          </div>
          <div ref={scroller} role="rowgroup" className="overflow-auto" style={{ height: "min(70vh, 44rem)" }}>
            <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
              {items.map((item) => {
                const asset = rows[item.index];
                if (!asset) return null;
                return (
                  <div key={asset.id} role="row" aria-rowindex={item.index + 2} className="asset-row border-b border-line"
                    style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}>
                    <span role="cell" className="font-mono">{asset.code}</span>
                    <span role="cell" className="truncate">{names.products?.get(asset.productId) ?? "…"}</span>
                    <span role="cell" className="hidden sm:block truncate text-muted">{asset.serialNumber || "—"}</span>
                    <span role="cell"><StatusBadge status={asset.status} /></span>
                    <span role="cell" className="hidden md:block truncate text-muted">
                      {names.locations?.get(asset.locationId) ?? "—"}
                    </span>
                    <span role="cell" className="hidden lg:block text-muted">{formatDate(toDate(asset.updateTime), locale)}</span>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </section>
  );
}

const TONE: Partial<Record<AssetStatus, string>> = {
  [AssetStatus.AVAILABLE]: "text-ok border-ok",
  [AssetStatus.CHECKED_OUT]: "text-warn border-warn",
  [AssetStatus.IN_REPAIR]: "text-danger border-danger",
  [AssetStatus.LOST]: "text-danger border-danger",
};

export function StatusBadge({ status }: { status: AssetStatus }) {
  const { t } = useTranslation();
  return <span className={`badge ${TONE[status] ?? ""}`}>{t(`status.ASSET_STATUS_${AssetStatus[status]}`)}</span>;
}
