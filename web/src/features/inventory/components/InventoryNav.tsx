/**
 * The inventory section's own links (products, assets, kits, cases, locations), shown at the
 * top of each inventory page so the main navigation needs only one or two entries.
 */
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";

const LINKS = [
  { to: "/products", label: "inventory.nav.products" },
  { to: "/assets", label: "inventory.nav.assets" },
  { to: "/kits", label: "inventory.nav.kits" },
  { to: "/cases", label: "inventory.nav.cases" },
  { to: "/locations", label: "inventory.nav.locations" },
] as const;

export function InventoryNav() {
  const { t } = useTranslation();
  return (
    <nav aria-label={t("inventory.nav.label")}>
      <ul className="inv-subnav">
        {LINKS.map((link) => (
          <li key={link.to}>
            <Link to={link.to} className="inv-subnav-link" activeProps={{ className: "inv-subnav-active", "aria-current": "page" }}>
              {t(link.label)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
