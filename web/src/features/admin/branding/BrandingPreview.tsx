/**
 * A sketch of an email's header as the branding makes it: the colour (or the default, the app's
 * accent), the logo 32 px high, the name. Only https logos are shown, as the API accepts only those.
 */
import { useTranslation } from "react-i18next";
import { textColourOn } from "../branding.js";

interface BrandingPreviewProps {
  name: string;
  logoUrl: string;
  colour?: string;
}

export function BrandingPreview({ name, logoUrl, colour }: BrandingPreviewProps) {
  const { t } = useTranslation();
  const header = colour ? { background: colour, color: textColourOn(colour) } : undefined;
  const showLogo = /^https:\/\/\S+$/i.test(logoUrl.trim());
  return (
    <figure className="flex flex-col gap-2" aria-labelledby="branding-preview-caption">
      <figcaption id="branding-preview-caption" className="field-label">{t("admin.branding.preview")}</figcaption>
      <div className="card overflow-hidden">
        <div className={`flex items-center gap-3 px-5 py-4 ${header ? "" : "bg-accent text-accent-fg"}`} style={header}>
          {showLogo && <img src={logoUrl.trim()} alt={t("admin.branding.logoAlt")} height={32} className="h-8 w-auto" referrerPolicy="no-referrer" />}
          <span className="text-lg font-bold break-words">{name.trim() || t("admin.branding.defaultName")}</span>
        </div>
        <div className="flex flex-col gap-2 p-5 text-sm">
          <p className="font-semibold">{t("admin.branding.sampleTitle")}</p>
          <p className="text-muted">{t("admin.branding.sampleBody")}</p>
        </div>
      </div>
    </figure>
  );
}
