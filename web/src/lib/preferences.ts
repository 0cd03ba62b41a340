/**
 * A person's display preferences on this device: theme, language, time zone. They are not
 * secret, so they live in localStorage (nothing about the session ever does).
 */
export const THEMES = ["dark", "light", "contrast"] as const;
export type Theme = (typeof THEMES)[number];

const store = {
  get: (key: string): string | null => {
    try {
      return globalThis.localStorage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  },
  set: (key: string, value: string) => {
    try {
      globalThis.localStorage?.setItem(key, value);
    } catch {
      // Private mode without storage: the choice lasts for this page only.
    }
  },
};

function browserLanguage(): "en" | "de" {
  const lang = globalThis.navigator?.language?.toLowerCase() ?? "en";
  return lang.startsWith("de") ? "de" : "en";
}

export const preferences = {
  theme(): Theme {
    const saved = store.get("ek.theme");
    return (THEMES as readonly string[]).includes(saved ?? "") ? (saved as Theme) : "dark";
  },
  setTheme(theme: Theme) {
    store.set("ek.theme", theme);
    document.documentElement.dataset.theme = theme;
  },
  language(): "en" | "de" {
    const saved = store.get("ek.language");
    return saved === "de" || saved === "en" ? saved : browserLanguage();
  },
  setLanguage(language: "en" | "de") {
    store.set("ek.language", language);
  },
  timeZone(): string {
    return store.get("ek.timeZone") ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  },
};
