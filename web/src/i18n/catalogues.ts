/**
 * Assembles the message catalogues. The shared messages live in en.json / de.json; each feature
 * under src/features/NAME/ keeps its own messages in messages/en.json and messages/de.json, which
 * appear under the key NAME (so `t("scanning.title")` reads features/scanning/messages/en.json).
 * Features can grow in parallel without editing one shared file.
 */
import de from "./de.json";
import en from "./en.json";

export const LANGUAGES = ["en", "de"] as const;
export type Language = (typeof LANGUAGES)[number];

type Catalogue = Record<string, unknown>;

const featureFiles = import.meta.glob<Catalogue>("../features/*/messages/*.json", {
  eager: true,
  import: "default",
});

function assemble(language: Language, shared: Catalogue): Catalogue {
  const catalogue: Catalogue = { ...shared };
  for (const [path, messages] of Object.entries(featureFiles)) {
    const match = /\/features\/([^/]+)\/messages\/([^/]+)\.json$/.exec(path);
    const [, feature, fileLanguage] = match ?? [];
    if (!feature || fileLanguage !== language) continue;
    if (feature in shared) throw new Error(`feature ${feature} collides with a shared catalogue key`);
    catalogue[feature] = messages;
  }
  return catalogue;
}

export const catalogues: Record<Language, Catalogue> = {
  en: assemble("en", en),
  de: assemble("de", de),
};
