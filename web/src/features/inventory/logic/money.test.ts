import { describe, expect, it } from "vitest";
import { commonCurrency, currencyDigits, isCurrencyCode, moneyInput, parseMoney } from "./money.js";

describe("money input", () => {
  it("reads German and English amounts into minor units", () => {
    expect(parseMoney("45", "EUR", "de")).toBe(4500n);
    expect(parseMoney("45,5", "EUR", "de")).toBe(4550n);
    expect(parseMoney("1.234,56", "EUR", "de")).toBe(123456n);
    expect(parseMoney("1.234", "EUR", "de")).toBe(123400n);
    expect(parseMoney("45.50", "EUR", "de")).toBe(4550n);
    expect(parseMoney("1,234.56", "USD", "en")).toBe(123456n);
    expect(parseMoney("0.99", "USD", "en")).toBe(99n);
    expect(parseMoney(",5", "EUR", "de")).toBe(50n);
    expect(parseMoney("1 000", "EUR", "de")).toBe(100000n);
  });
  it("knows currencies without minor units", () => {
    expect(currencyDigits("JPY")).toBe(0);
    expect(parseMoney("1500", "JPY", "en")).toBe(1500n);
    expect(parseMoney("15.5", "JPY", "en")).toBeUndefined();
  });
  it("refuses what is not an amount", () => {
    expect(parseMoney("", "EUR", "de")).toBeUndefined();
    expect(parseMoney("abc", "EUR", "de")).toBeUndefined();
    expect(parseMoney("-5", "EUR", "de")).toBeUndefined();
    expect(parseMoney("1,2,3", "EUR", "de")).toBeUndefined();
    expect(parseMoney("4,555", "EUR", "de")).toBeUndefined();
  });
  it("writes minor units back for the input", () => {
    expect(moneyInput(4550n, "EUR", "de")).toBe("45,50");
    expect(moneyInput(5n, "USD", "en")).toBe("0.05");
    expect(moneyInput(1500n, "JPY", "en")).toBe("1500");
    expect(parseMoney(moneyInput(123456789n, "EUR", "de"), "EUR", "de")).toBe(123456789n);
  });
  it("checks currency codes and finds the common one", () => {
    expect(isCurrencyCode("EUR")).toBe(true);
    expect(isCurrencyCode("eur")).toBe(false);
    expect(isCurrencyCode("EU")).toBe(false);
    expect(commonCurrency(["EUR", undefined, "CHF", "EUR"])).toBe("EUR");
    expect(commonCurrency([])).toBeUndefined();
  });
});
