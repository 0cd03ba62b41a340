/**
 * Branding form logic: the API takes the header colour as `#RRGGBB` (empty for the default), so
 * the form accepts `#rgb` and `rrggbb` too and sends the canonical form; the preview picks black or
 * white text, whichever reads better on the chosen colour; the update mask names the fields
 * that changed.
 */
export interface BrandingFields {
  displayName: string;
  logoUrl: string;
  primaryColor: string;
}

/** `#RRGGBB` upper-case, `""` for empty, or undefined when it is not a colour. */
export function normaliseColour(input: string): string | undefined {
  const text = input.trim().replace(/^#/, "");
  if (text === "") return "";
  if (/^[0-9a-f]{3}$/i.test(text)) return `#${[...text].map((c) => c + c).join("")}`.toUpperCase();
  if (/^[0-9a-f]{6}$/i.test(text)) return `#${text}`.toUpperCase();
  return undefined;
}

/** WCAG relative luminance of `#RRGGBB`. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Black or white, whichever contrasts more with the colour (as the email's header text would). */
export function textColourOn(hex: string): "#000000" | "#FFFFFF" {
  const l = luminance(hex);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#FFFFFF";
}

export function changedFields(before: BrandingFields, after: BrandingFields): string[] {
  const paths: [keyof BrandingFields, string][] = [
    ["displayName", "display_name"],
    ["logoUrl", "logo_url"],
    ["primaryColor", "primary_color"],
  ];
  return paths.filter(([field]) => before[field] !== after[field]).map(([, path]) => path);
}
