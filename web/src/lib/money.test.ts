import { describe, expect, it } from 'vitest'
import { formatMoney, minorDigits } from './money'

describe('formatMoney', () => {
  it('formats minor units as major units with the currency symbol', () => {
    expect(formatMoney(1999, 'EUR')).toBe('€19.99')
  })

  it('keeps cents when the amount is whole', () => {
    expect(formatMoney(500, 'EUR')).toBe('€5.00')
  })

  it('formats currencies without minor units', () => {
    expect(minorDigits('JPY')).toBe(0)
    expect(formatMoney(1200, 'JPY')).toBe('JP¥1,200')
  })

  it('groups thousands', () => {
    expect(formatMoney(123456789, 'USD')).toBe('US$1,234,567.89')
  })

  it('falls back to the code for an unknown currency', () => {
    expect(formatMoney(1050, 'XX1')).toBe('10.50 XX1')
  })
})
