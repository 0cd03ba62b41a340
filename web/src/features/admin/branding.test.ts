import { describe, expect, it } from "vitest";
import { changedFields, normaliseColour, textColourOn } from "./branding.js";

describe("branding", () => {
  it("normalises colours to #RRGGBB", () => {
    expect(normaliseColour("#1a2b3c")).toBe("#1A2B3C");
    expect(normaliseColour("abc")).toBe("#AABBCC");
    expect(normaliseColour("  ")).toBe("");
    expect(normaliseColour("#12345")).toBeUndefined();
    expect(normaliseColour("red")).toBeUndefined();
  });

  it("picks readable header text", () => {
    expect(textColourOn("#FFFFFF")).toBe("#000000");
    expect(textColourOn("#F5B041")).toBe("#000000");
    expect(textColourOn("#1D4ED8")).toBe("#FFFFFF");
    expect(textColourOn("#000000")).toBe("#FFFFFF");
  });

  it("masks only what changed", () => {
    const before = { displayName: "Acme", logoUrl: "", primaryColor: "#112233" };
    expect(changedFields(before, { ...before, primaryColor: "#445566" })).toEqual(["primary_color"]);
    expect(changedFields(before, before)).toEqual([]);
    expect(changedFields(before, { displayName: "B", logoUrl: "https://x/l.png", primaryColor: "#112233" })).toEqual([
      "display_name", "logo_url",
    ]);
  });
});
