/** The person's language and time zone, for the formatters in lib/format. */
import { useTranslation } from "react-i18next";
import type { Locale } from "../lib/format.js";
import { preferences } from "../lib/preferences.js";

export function useLocale(): Locale {
  const { i18n } = useTranslation();
  return { language: i18n.language, timeZone: preferences.timeZone() };
}
