/**
 * Reading an amount a person types ("12,50", "12.50", "1.234,50") into integer minor units for
 * the API's Money, without floating point. The currency's number of decimals comes from Intl.
 */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Minor units, or undefined when the text is not an amount with at most `digits` decimals. */
export function parseAmount(text: string, digits: number): bigint | undefined {
  const compact = text.replace(/[\s\u00a0']/g, "");
  if (!/^\d[\d.,]*$/.test(compact)) return undefined;
  const lastSeparator = Math.max(compact.lastIndexOf(","), compact.lastIndexOf("."));
  let whole = compact;
  let fraction = "";
  if (lastSeparator >= 0) {
    const tail = compact.slice(lastSeparator + 1);
    const separator = compact[lastSeparator];
    const onlyOnce = compact.indexOf(separator ?? "") === lastSeparator;
    // "1.234" with exactly three digits after a single separator is read as a decimal only
    // when the currency has three decimals; otherwise it groups thousands.
    const isDecimal = onlyOnce && (tail.length !== 3 || digits === 3);
    if (isDecimal) {
      whole = compact.slice(0, lastSeparator);
      fraction = tail;
    }
  }
  const groupsOk = /^\d{1,3}([.,]\d{3})*$|^\d+$/.test(whole);
  if (!groupsOk || fraction.length > digits || !/^\d*$/.test(fraction)) return undefined;
  const digitsOnly = whole.replace(/[.,]/g, "") + fraction.padEnd(digits, "0");
  return BigInt(digitsOnly);
}
