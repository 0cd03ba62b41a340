/**
 * Dates, numbers and money for the person's language and time zone: `dd.MM.yyyy` in German,
 * `MM/dd/yyyy` in English, money from integer minor units without floating-point sums.
 */
import type { Timestamp } from "@bufbuild/protobuf/wkt";

export interface Locale {
  language: string;
  timeZone: string;
}

const LOCALE_TAGS: Record<string, string> = { en: "en-US", de: "de-DE" };

function tag(language: string): string {
  return LOCALE_TAGS[language] ?? language;
}

export function toDate(ts: Timestamp | undefined): Date | undefined {
  if (!ts) return undefined;
  return new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6));
}

export function formatDate(when: Date | undefined, locale: Locale): string {
  if (!when) return "—";
  return new Intl.DateTimeFormat(tag(locale.language), {
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    timeZone: locale.timeZone,
  }).format(when);
}

export function formatDateTime(when: Date | undefined, locale: Locale): string {
  if (!when) return "—";
  return new Intl.DateTimeFormat(tag(locale.language), {
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: locale.timeZone,
  }).format(when);
}

export function formatPeriod(start: Date | undefined, end: Date | undefined, locale: Locale): string {
  return `${formatDate(start, locale)} – ${formatDate(end, locale)}`;
}

export function formatNumber(value: number, locale: Locale): string {
  return new Intl.NumberFormat(tag(locale.language)).format(value);
}

/** `amountMinor` in the currency's minor units (cents), e.g. 4500 EUR → "45,00 €" in German. */
export function formatMoney(amountMinor: bigint, currency: string, locale: Locale): string {
  const format = new Intl.NumberFormat(tag(locale.language), { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const scale = 10n ** BigInt(digits);
  const negative = amountMinor < 0n;
  const abs = negative ? -amountMinor : amountMinor;
  // Through a decimal string, so large amounts keep every cent.
  const text = `${negative ? "-" : ""}${abs / scale}.${(abs % scale).toString().padStart(digits, "0")}`;
  return format.format(text as unknown as number);
}
