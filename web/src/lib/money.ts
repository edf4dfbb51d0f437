// Money is integer minor units with an ISO 4217 currency (docs/api.md).

const formatters = new Map<string, Intl.NumberFormat>()

/** Digits after the decimal point for `currency` (2 for EUR, 0 for JPY). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  } catch {
    return 2
  }
}

/** Formats `minor` units of `currency` for people: formatMoney(1999, 'EUR') -> "€19.99". */
export function formatMoney(minor: number, currency: string, locale = 'en-IE'): string {
  const key = `${locale}|${currency}`
  let f = formatters.get(key)
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency })
    } catch {
      // Unknown currency code: show the number with the code rather than failing.
      f = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
      const plain = f
      return `${plain.format(minor / 100)} ${currency}`
    }
    formatters.set(key, f)
  }
  return f.format(minor / 10 ** minorDigits(currency))
}

/** Multiplies a unit price by a quantity without floating point error (both are integers). */
export function lineTotal(unitPrice: number, quantity: number): number {
  return unitPrice * quantity
}
