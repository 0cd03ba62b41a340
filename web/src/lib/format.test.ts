import { describe, expect, it } from "vitest";
import { formatDate, formatMoney, formatNumber, toDate } from "./format.js";

const vienna = { language: "de", timeZone: "Europe/Vienna" };
const newYork = { language: "en", timeZone: "America/New_York" };

describe("format", () => {
  it("writes dates dd.MM.yyyy in German and MM/dd/yyyy in English", () => {
    const when = new Date("2027-03-09T12:00:00Z");
    expect(formatDate(when, vienna)).toBe("09.03.2027");
    expect(formatDate(when, newYork)).toBe("03/09/2027");
  });

  it("uses the person's time zone, not the machine's", () => {
    // 23:30 UTC is already the next day in Vienna and still the same day in New York.
    const when = new Date("2027-03-09T23:30:00Z");
    expect(formatDate(when, vienna)).toBe("10.03.2027");
    expect(formatDate(when, newYork)).toBe("03/09/2027");
  });

  it("formats money from minor units without losing cents", () => {
    expect(formatMoney(4500n, "EUR", vienna).replace(/\s/g, " ")).toBe("45,00 €");
    expect(formatMoney(123456789012345678n, "EUR", newYork)).toBe("€1,234,567,890,123,456.78");
    expect(formatMoney(-5n, "USD", newYork)).toBe("-$0.05");
  });

  it("groups numbers per language", () => {
    expect(formatNumber(100000, vienna)).toBe("100.000");
    expect(formatNumber(100000, newYork)).toBe("100,000");
  });

  it("reads protobuf timestamps", () => {
    expect(toDate({ seconds: 1n, nanos: 500_000_000 } as never)?.getTime()).toBe(1500);
    expect(toDate(undefined)).toBeUndefined();
  });
});
