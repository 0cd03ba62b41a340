/**
 * Money typed by a person, to integer minor units of the currency, and back for the input.
 * "45", "45,50" (German) and "1,234.56" (English) all work; a value with more decimals than
 * the currency has, or anything that is not a number, is refused (undefined).
 */
const DECIMAL: Record<string, string> = { de: ",", en: "." };

export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function isCurrencyCode(text: string): boolean {
  if (!/^[A-Z]{3}$/.test(text)) return false;
  try {
    new Intl.NumberFormat("en", { style: "currency", currency: text });
    return true;
  } catch {
    return false;
  }
}

export function parseMoney(text: string, currency: string, language: string): bigint | undefined {
  const digits = currencyDigits(currency);
  let value = text.replace(/[\s\u00a0']/g, "");
  if (value === "") return undefined;
  const decimal = DECIMAL[language.slice(0, 2)] ?? ".";
  const other = decimal === "," ? "." : ",";
  if (!value.includes(decimal)) {
    // "45.50" typed in German: the other mark is the decimal one when it appears once and is
    // not followed by exactly three digits (then it groups thousands: "1.234").
    const parts = value.split(other);
    if (parts.length === 2 && (parts[1] ?? "").length !== 3) value = parts.join(decimal);
  }
  value = value.split(other).join("");
  const [whole = "", fraction = "", ...rest] = value.split(decimal);
  if (rest.length > 0 || !/^\d+$/.test(whole || "0") || !/^\d*$/.test(fraction)) return undefined;
  if (whole === "" && fraction === "") return undefined;
  if (fraction.length > digits) return undefined;
  return BigInt(whole || "0") * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, "0") || "0");
}

/** Minor units as the form shows them: "45,00" in German, "45.00" in English, no grouping. */
export function moneyInput(amountMinor: bigint, currency: string, language: string): string {
  const digits = currencyDigits(currency);
  const scale = 10n ** BigInt(digits);
  const whole = amountMinor / scale;
  if (digits === 0) return whole.toString();
  const fraction = (amountMinor % scale).toString().padStart(digits, "0");
  return `${whole}${DECIMAL[language.slice(0, 2)] ?? "."}${fraction}`;
}

/** The currency most products are priced in: the form's default for a new product. */
export function commonCurrency(currencies: readonly (string | undefined)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const c of currencies) if (c) counts.set(c, (counts.get(c) ?? 0) + 1);
  let best: string | undefined;
  for (const [c, n] of counts) if (best === undefined || n > (counts.get(best) ?? 0)) best = c;
  return best;
}
