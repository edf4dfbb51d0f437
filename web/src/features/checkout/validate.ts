import type { ShippingAddress } from '../../lib/types'

export type AddressErrors = Partial<Record<keyof ShippingAddress, string>>

export const COUNTRIES: [code: string, name: string][] = [
  ['AT', 'Austria'], ['BE', 'Belgium'], ['CA', 'Canada'], ['CH', 'Switzerland'], ['CZ', 'Czechia'],
  ['DE', 'Germany'], ['DK', 'Denmark'], ['ES', 'Spain'], ['FI', 'Finland'], ['FR', 'France'],
  ['GB', 'United Kingdom'], ['IE', 'Ireland'], ['IT', 'Italy'], ['JP', 'Japan'], ['NL', 'Netherlands'],
  ['NO', 'Norway'], ['PL', 'Poland'], ['PT', 'Portugal'], ['SE', 'Sweden'], ['US', 'United States'],
]

const limits: Record<keyof ShippingAddress, number> = {
  name: 100, line1: 200, line2: 200, city: 100, postalCode: 20, country: 2,
}

/** Checks the address the way the server will; messages say what to fix. */
export function validateAddress(a: ShippingAddress): AddressErrors {
  const e: AddressErrors = {}
  const req = (k: keyof ShippingAddress, what: string) => {
    if (!a[k]?.trim()) e[k] = `Please enter ${what}.`
  }
  req('name', 'the recipient’s name')
  req('line1', 'the street and house number')
  req('city', 'the city')
  req('postalCode', 'the postal code')
  if (!a.country) e.country = 'Please choose a country.'
  else if (!COUNTRIES.some(([c]) => c === a.country)) e.country = 'We do not ship to that country yet.'
  for (const k of Object.keys(limits) as (keyof ShippingAddress)[]) {
    const v = a[k]?.trim() ?? ''
    if (!e[k] && v.length > limits[k]) e[k] = `This is ${v.length} characters; the limit is ${limits[k]}.`
  }
  if (!e.postalCode && !/^[A-Za-z0-9][A-Za-z0-9 -]*[A-Za-z0-9]$/.test(a.postalCode.trim()))
    e.postalCode = 'Use letters, digits, spaces or dashes only.'
  return e
}

/** The trimmed address for the request, without an empty line2. */
export function cleanAddress(a: ShippingAddress): ShippingAddress {
  const out: ShippingAddress = {
    name: a.name.trim(), line1: a.line1.trim(), city: a.city.trim(),
    postalCode: a.postalCode.trim().toUpperCase(), country: a.country,
  }
  if (a.line2?.trim()) out.line2 = a.line2.trim()
  return out
}
