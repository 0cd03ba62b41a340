/**
 * Asset codes for asset ids (the API's progress and stocktake answers name assets by id). Each
 * code is read once and cached; long lists show a page at a time.
 */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { assetQuery } from "./api.js";

export function AssetCode({ id }: { id: string }) {
  const asset = useQuery(assetQuery(id));
  return <span className="font-mono">{asset.data?.code ?? (asset.isError ? id.slice(0, 8) : "…")}</span>;
}

const PAGE = 24;

export function AssetCodeList({ ids, empty }: { ids: readonly string[]; empty: string }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(PAGE);
  if (ids.length === 0) return <p className="text-sm text-muted">{empty}</p>;
  return (
    <div className="flex flex-col gap-2">
      <ul className="flex flex-wrap gap-2">
        {ids.slice(0, shown).map((id) => (
          <li key={id} className="badge"><AssetCode id={id} /></li>
        ))}
      </ul>
      {ids.length > shown && (
        <button type="button" className="btn btn-ghost self-start" onClick={() => setShown((n) => n + PAGE)}>
          {t("scanning.showMore", { count: ids.length - shown })}
        </button>
      )}
    </div>
  );
}
