import { describe, expect, it } from 'vitest'
import type { Order } from '../../lib/types'
import { applyStatusEvent, applyToPages, keepNewerInPages, keepNewerOrder } from './live'

const placed: Order = {
  id: 'o-1', customerId: 'c-1', status: 'PLACED', items: [], total: 1999, currency: 'EUR',
  shippingAddress: { name: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'DE' },
  createdAt: '2026-11-25T10:00:00.000Z', updatedAt: '2026-11-25T10:00:00.000Z',
  history: [{ status: 'PLACED', at: '2026-11-25T10:00:00.000Z' }],
}

describe('applyStatusEvent', () => {
  it('moves the order to the pushed status and extends its history', () => {
    const o = applyStatusEvent(placed, { orderId: 'o-1', status: 'CONFIRMED', at: '2026-11-25T10:00:00.004Z' })
    expect(o.status).toBe('CONFIRMED')
    expect(o.history.map((h) => h.status)).toEqual(['PLACED', 'CONFIRMED'])
  })

  it('ignores an event for another order or one already applied', () => {
    expect(applyStatusEvent(placed, { orderId: 'o-2', status: 'CONFIRMED', at: 'x' })).toBe(placed)
    expect(applyStatusEvent(placed, { orderId: 'o-1', status: 'PLACED', at: placed.createdAt })).toBe(placed)
  })

  it('does not move the status back for a late, older event', () => {
    const shipped = applyStatusEvent(
      applyStatusEvent(placed, { orderId: 'o-1', status: 'CONFIRMED', at: '2026-11-25T10:00:01.000Z' }),
      { orderId: 'o-1', status: 'SHIPPED', at: '2026-11-25T11:00:00.000Z' },
    )
    const late = applyStatusEvent(
      { ...shipped, history: shipped.history.filter((h) => h.status !== 'CONFIRMED') },
      { orderId: 'o-1', status: 'CONFIRMED', at: '2026-11-25T10:00:01.000Z' },
    )
    expect(late.status).toBe('SHIPPED')
    expect(late.history.map((h) => h.status)).toEqual(['PLACED', 'CONFIRMED', 'SHIPPED'])
  })

  it('keeps the rejection reason', () => {
    const o = applyStatusEvent(placed, { orderId: 'o-1', status: 'REJECTED', at: '2026-11-25T10:00:01.000Z', reason: 'out of stock' })
    expect(o.history[1].reason).toBe('out of stock')
  })
})

describe('applyToPages', () => {
  it('finds the order in any page and leaves other pages untouched', () => {
    const p1 = { items: [{ ...placed, id: 'o-9' }], nextCursor: 'c' }
    const p2 = { items: [placed], nextCursor: null }
    const { pages, found } = applyToPages([p1, p2], { orderId: 'o-1', status: 'CANCELLED', at: '2026-11-25T10:05:00.000Z' })
    expect(found).toBe(true)
    expect(pages[0]).toBe(p1)
    expect(pages[1].items[0].status).toBe('CANCELLED')
  })

  it('reports a new order it does not hold', () => {
    expect(applyToPages([], { orderId: 'o-1', status: 'CONFIRMED', at: 'x' }).found).toBe(false)
  })
})

describe('keeping pushed changes over older fetches', () => {
  const shipped = applyStatusEvent(placed, { orderId: 'o-1', status: 'SHIPPED', at: '2026-11-25T11:00:00.000Z' })

  it('keeps a cached order that is newer than the fetched one', () => {
    expect(keepNewerOrder(shipped, placed)).toBe(shipped)
    expect(keepNewerOrder(placed, shipped)).toBe(shipped)
    expect(keepNewerOrder(undefined, placed)).toBe(placed)
  })

  it('does so for each order of a list', () => {
    const other = { ...placed, id: 'o-2' }
    const old = { pages: [{ items: [shipped, other], nextCursor: null }], pageParams: [undefined] }
    const fetched = { pages: [{ items: [placed, other], nextCursor: null }], pageParams: [undefined] }
    const out = keepNewerInPages(old, fetched) as typeof old
    expect(out.pages[0].items.map((o) => o.status)).toEqual(['SHIPPED', 'PLACED'])
  })
})
