import { describe, expect, it } from "vitest";
import { catalogues } from "./catalogues.js";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function lookup(catalogue: unknown, key: string): unknown {
  return key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], catalogue);
}

describe("message catalogues", () => {
  it("German has every English message and nothing else", () => {
    expect(keys(catalogues.de).sort()).toEqual(keys(catalogues.en).sort());
  });

  it("has no empty message", () => {
    for (const catalogue of Object.values(catalogues)) {
      for (const key of keys(catalogue)) expect(lookup(catalogue, key), key).not.toBe("");
    }
  });

  it("keeps the same placeholders in both languages", () => {
    const placeholders = (text: unknown) => [...String(text).matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const key of keys(catalogues.en)) {
      expect(placeholders(lookup(catalogues.de, key)), key).toEqual(placeholders(lookup(catalogues.en, key)));
    }
  });
});
