import { describe, expect, it } from "vitest";
import de from "./de.json";
import en from "./en.json";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("message catalogues", () => {
  it("German has every English message and nothing else", () => {
    expect(keys(de).sort()).toEqual(keys(en).sort());
  });

  it("has no empty message", () => {
    for (const catalogue of [en, de]) {
      for (const key of keys(catalogue)) {
        const text = key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], catalogue);
        expect(text, key).not.toBe("");
      }
    }
  });
});
