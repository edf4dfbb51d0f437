import { describe, expect, it } from 'vitest'
import { actionsFor } from './order-actions'

describe('actionsFor', () => {
  it('offers ship and cancel for a confirmed order, deliver for a shipped one', () => {
    expect(actionsFor('CONFIRMED').map((a) => a.to)).toEqual(['SHIPPED', 'CANCELLED'])
    expect(actionsFor('SHIPPED').map((a) => a.to)).toEqual(['DELIVERED'])
    expect(actionsFor('PLACED').map((a) => a.to)).toEqual(['CANCELLED'])
  })

  it('offers nothing for finished orders', () => {
    for (const s of ['DELIVERED', 'REJECTED', 'CANCELLED'] as const) expect(actionsFor(s)).toEqual([])
  })
})
