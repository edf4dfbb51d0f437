import { describe, expect, it } from 'vitest'
import { wholeNumberIn } from './whole-number'

describe('wholeNumberIn', () => {
  it('takes whole numbers in range and nothing else', () => {
    expect(wholeNumberIn('3', 1, 10)).toBe(3)
    expect(wholeNumberIn('10', 1, 10)).toBe(10)
    for (const t of ['', ' ', '0', '11', '2.5', '-1', 'abc', '1e9']) expect(wholeNumberIn(t, 1, 10)).toBeNull()
  })
})
