/**
 * The command palette (Ctrl/Cmd+K): finds products and assets by name or code (the API's
 * full-text search), events by name among the coming year's, and goes to any section the
 * person may open. Loaded on first use, so it costs the first page nothing.
 */
import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { Command } from "cmdk";
import { useDeferredValue, useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory, planning } from "../../api/clients.js";
import { holds, PERMISSIONS, type NavItem } from "../../lib/navigation.js";
import { daysFromNow } from "../../lib/period.js";

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  items: NavItem[];
  permissions: readonly string[];
}

export default function CommandPalette({ open, onOpenChange, items, permissions }: Props) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [search, setSearch] = useState("");
  const query = useDeferredValue(search.trim());
  const canInventory = holds(permissions, PERMISSIONS.inventoryRead);
  const canPlan = holds(permissions, PERMISSIONS.planningRead);
  const found = useQuery({
    queryKey: ["palette", query],
    enabled: open && query.length >= 2 && canInventory,
    queryFn: async () => {
      const [products, assets] = await Promise.all([
        inventory.listProducts({ query, page: { pageSize: 5 } }),
        inventory.listAssets({ query, page: { pageSize: 5 } }),
      ]);
      return { products: products.products, assets: assets.assets };
    },
  });
  const events = useQuery({
    queryKey: ["palette", "events"],
    enabled: open && canPlan,
    staleTime: 60_000,
    queryFn: async () => {
      return (await planning.listEvents({ period: daysFromNow(-30, 365), page: { pageSize: 200 } })).events;
    },
  });
  const matchingEvents = (events.data ?? [])
    .filter((e) => query.length >= 1 && e.name.toLowerCase().includes(query.toLowerCase()))
    .slice(0, 5);
  const sections = items.filter((item) => t(item.label).toLowerCase().includes(query.toLowerCase()));
  // The results arrive after typing, so cmdk would leave nothing selected and Enter would do
  // nothing: the selection is ours, the first result unless the person moved it.
  const values = [
    ...(found.data?.products ?? []).map((p) => `product-${p.id}`),
    ...(found.data?.assets ?? []).map((a) => `asset-${a.id}`),
    ...matchingEvents.map((e) => `event-${e.id}`),
    ...sections.map((item) => `go-${item.to}`),
  ];
  const [chosen, setChosen] = useState("");
  const selected = values.includes(chosen) ? chosen : (values[0] ?? "");
  const go = (to: () => Promise<void>) => {
    onOpenChange(false);
    setSearch("");
    void to();
  };

  return (
    <Command.Dialog open={open} onOpenChange={onOpenChange} label={t("palette.label")} shouldFilter={false}
      value={selected} onValueChange={setChosen}
      overlayClassName="dialog-overlay" contentClassName="dialog-content card palette">
      <Command.Input value={search} onValueChange={setSearch} placeholder={t("palette.placeholder")}
        className="input w-full" aria-label={t("palette.label")} />
      <Command.List className="palette-list">
        <Command.Empty className="text-muted p-2">{found.isFetching ? t("palette.searching") : t("palette.empty")}</Command.Empty>
        {(found.data?.products.length ?? 0) > 0 && (
          <Command.Group heading={t("palette.products")}>
            {found.data?.products.map((p) => (
              <Command.Item key={p.id} value={`product-${p.id}`} className="palette-item"
                onSelect={() => go(() => navigate({ to: "/products/$productId", params: { productId: p.id } }))}>
                {p.name} <span className="text-muted text-sm">{p.sku}</span>
              </Command.Item>
            ))}
          </Command.Group>
        )}
        {(found.data?.assets.length ?? 0) > 0 && (
          <Command.Group heading={t("palette.assets")}>
            {found.data?.assets.map((a) => (
              <Command.Item key={a.id} value={`asset-${a.id}`} className="palette-item"
                onSelect={() => go(() => navigate({ to: "/assets/$assetId", params: { assetId: a.id } }))}>
                {a.code} <span className="text-muted text-sm">{a.serialNumber}</span>
              </Command.Item>
            ))}
          </Command.Group>
        )}
        {matchingEvents.length > 0 && (
          <Command.Group heading={t("palette.events")}>
            {matchingEvents.map((e) => (
              <Command.Item key={e.id} value={`event-${e.id}`} className="palette-item"
                onSelect={() => go(() => navigate({ to: "/events/$eventId", params: { eventId: e.id } }))}>
                {e.name} <span className="text-muted text-sm">{e.clientName}</span>
              </Command.Item>
            ))}
          </Command.Group>
        )}
        {sections.length > 0 && (
          <Command.Group heading={t("palette.goTo")}>
            {sections.map((item) => (
              <Command.Item key={item.to} value={`go-${item.to}`} className="palette-item"
                onSelect={() => go(() => navigate({ to: item.to }))}>
                {t(item.label)}
              </Command.Item>
            ))}
          </Command.Group>
        )}
      </Command.List>
    </Command.Dialog>
  );
}
