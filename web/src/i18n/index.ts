/**
 * The person's language and the i18next instance. Every visible string comes from the
 * catalogues (see catalogues.ts); `catalogues.test.ts` checks both languages have the same keys.
 */
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import { preferences } from "../lib/preferences.js";
import { catalogues } from "./catalogues.js";

export { LANGUAGES, type Language } from "./catalogues.js";

void i18next.use(initReactI18next).init({
  resources: { en: { translation: catalogues.en }, de: { translation: catalogues.de } },
  lng: preferences.language(),
  fallbackLng: "en",
  interpolation: { escapeValue: false },
});

i18next.on("languageChanged", (lng) => {
  document.documentElement.lang = lng;
});
document.documentElement.lang = i18next.language;

export default i18next;
