import { describe, expect, it } from 'vitest'
import type { Summary } from '../../lib/types'
import {
  appendLatency, conversionRate, emptyColumns, funnelSteps, statusBars, toSeries, topCategoryBars, topProductBars,
} from './summary-transform'

const summary: Summary = {
  at: '2026-11-25T19:42:00.000Z', range: '5m', currency: 'EUR',
  ordersPerSecond: 12, ordersLastMinute: 700, revenueLastMinute: 123400, averageBasket: 1763,
  byStatus: { PLACED: 1, CONFIRMED: 690, REJECTED: 9 },
  topProducts: [
    { productId: 'p-2', name: 'Tea', units: 10, revenue: 9000 },
    { productId: 'p-1', name: 'Coffee', units: 40, revenue: 79960 },
  ],
  topCategories: [
    { category: 'Tea', units: 10, revenue: 9000 },
    { category: 'Coffee', units: 90, revenue: 150000 },
  ],
  funnel: { pageViews: 5000, productViews: 2100, addToCart: 900, checkouts: 750, orders: 700 },
  latencyMs: { p50: 1.2, p99: 4.8 },
  series: [
    { t: '2026-11-25T19:41:59.000Z', orders: 11, revenue: 19200 },
    { t: '2026-11-25T19:41:58.000Z', orders: 9, revenue: 15050 },
    { t: 'garbage', orders: 1, revenue: 1 },
  ],
}

describe('toSeries', () => {
  it('gives time-sorted columns in Unix seconds with revenue in major units', () => {
    const { step, columns } = toSeries(summary)
    const t0 = Date.parse('2026-11-25T19:41:58.000Z') / 1000
    expect(step).toBe(1)
    expect(columns).toEqual([[t0, t0 + 1], [9, 11], [150.5, 192]])
  })

  it('turns per-minute points into orders per second', () => {
    const { step, columns } = toSeries({ ...summary, range: '1h', series: [{ t: summary.at, orders: 600, revenue: 100 }] })
    expect(step).toBe(60)
    expect(columns[1]).toEqual([10])
  })

  it('handles an empty series', () => {
    expect(toSeries({ ...summary, series: [] }).columns).toEqual([[], [], []])
  })

  it('scales by the currency’s minor digits', () => {
    expect(toSeries({ ...summary, currency: 'JPY', series: [{ t: summary.at, orders: 1, revenue: 1500 }] }).columns[2]).toEqual([1500])
  })
})

describe('bars', () => {
  it('lists every status in lifecycle order with zero for missing ones', () => {
    const b = statusBars(summary.byStatus)
    expect(b.map((x) => [x.key, x.value])).toEqual([
      ['PLACED', 1], ['CONFIRMED', 690], ['SHIPPED', 0], ['DELIVERED', 0], ['REJECTED', 9], ['CANCELLED', 0],
    ])
    expect(b[1].share).toBe(1)
    expect(b[0].share).toBeCloseTo(1 / 690)
  })

  it('gives zero-length bars when there is nothing yet', () => {
    expect(statusBars({}).every((b) => b.share === 0)).toBe(true)
  })

  it('ranks top products and categories by the chosen measure', () => {
    expect(topProductBars(summary).map((b) => b.label)).toEqual(['Coffee', 'Tea'])
    expect(topCategoryBars(summary, 'units').map((b) => [b.label, b.value])).toEqual([['Coffee', 90], ['Tea', 10]])
  })
})

describe('funnel', () => {
  it('gives each step its share of the start and its conversion from the step before', () => {
    const f = funnelSteps(summary.funnel)
    expect(f.map((s) => s.count)).toEqual([5000, 2100, 900, 750, 700])
    expect(f[0].fromPrevious).toBeNull()
    expect(f[1].fromPrevious).toBeCloseTo(0.42)
    expect(f[4].ofStart).toBeCloseTo(0.14)
    expect(conversionRate(summary.funnel)).toBeCloseTo(0.14)
  })

  it('does not divide by zero', () => {
    const f = funnelSteps({ pageViews: 0, productViews: 0, addToCart: 0, checkouts: 0, orders: 0 })
    expect(f.every((s) => s.ofStart === 0 && s.fromPrevious === null)).toBe(true)
    expect(conversionRate({ pageViews: 0, productViews: 0, addToCart: 0, checkouts: 0, orders: 0 })).toBeNull()
  })
})

describe('appendLatency', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 19, 0, s)).toISOString()

  it('appends one point per new summary and ignores repeats', () => {
    let w = emptyColumns(2)
    w = appendLatency(w, { at: at(1), latencyMs: { p50: 1, p99: 5 } })
    w = appendLatency(w, { at: at(1), latencyMs: { p50: 9, p99: 9 } })
    w = appendLatency(w, { at: at(2), latencyMs: { p50: 2, p99: 6 } })
    expect(w[1]).toEqual([1, 2])
    expect(w[2]).toEqual([5, 6])
  })

  it('keeps only the newest points', () => {
    let w = emptyColumns(2)
    for (let s = 0; s < 10; s++) w = appendLatency(w, { at: at(s), latencyMs: { p50: s, p99: s } }, 3)
    expect(w[1]).toEqual([7, 8, 9])
    expect(w[0]).toHaveLength(3)
  })
})
