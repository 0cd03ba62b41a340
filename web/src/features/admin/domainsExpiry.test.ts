import { describe, expect, it } from "vitest";
import { parseDomains } from "./domains.js";
import { endOfDay, startOfDay, todayIn } from "./expiry.js";

describe("allowed domains", () => {
  it("splits, lower-cases and de-duplicates", () => {
    expect(parseDomains("Acme.com, @acme.de\nacme.com  example.org.")).toEqual(["acme.com", "acme.de", "example.org"]);
    expect(parseDomains("  ")).toEqual([]);
  });
});

describe("key expiry", () => {
  it("ends the chosen day in the person's zone", () => {
    expect(endOfDay("2026-07-31", "Europe/Berlin")?.toISOString()).toBe("2026-07-31T21:59:59.999Z");
    expect(endOfDay("2026-01-31", "Europe/Berlin")?.toISOString()).toBe("2026-01-31T22:59:59.999Z");
    expect(endOfDay("2026-01-31", "UTC")?.toISOString()).toBe("2026-01-31T23:59:59.999Z");
    expect(endOfDay("2026-01-31", "America/New_York")?.toISOString()).toBe("2026-02-01T04:59:59.999Z");
    expect(endOfDay("", "UTC")).toBeUndefined();
  });

  it("starts a day at the zone's midnight", () => {
    expect(startOfDay("2026-07-31", "Europe/Berlin")?.toISOString()).toBe("2026-07-30T22:00:00.000Z");
    expect(startOfDay("2026-07-31", "Europe/Berlin", 1)?.toISOString()).toBe("2026-07-31T22:00:00.000Z");
  });

  it("knows today in a zone", () => {
    expect(todayIn("Europe/Berlin", new Date("2026-03-01T23:30:00Z"))).toBe("2026-03-02");
  });
});
