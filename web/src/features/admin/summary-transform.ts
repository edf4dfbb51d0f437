// Turns an analytics Summary (docs/api.md) into what the dashboard draws.
// Pure functions: the dashboard calls them once per pushed Summary (every second).
import { minorDigits } from '../../lib/money'
import { ORDER_STATUSES, type OrderStatus, type Summary } from '../../lib/types'

/** uPlot's column data: x in Unix seconds, then one array per series. */
export type Columns = [number[], ...(number | null)[][]]

export interface SeriesData {
  /** Seconds per point: 1 for range 5m, 60 for 1h and 24h. */
  step: number
  /** x, orders per second, revenue (major units) per point. */
  columns: Columns
}

export function stepOf(range: Summary['range']): number {
  return range === '5m' ? 1 : 60
}

/**
 * The time series as columns sorted by time, with orders turned into a rate
 * (orders per second) whatever the step, and revenue in major units.
 * Points with unreadable times are dropped.
 */
export function toSeries(s: Pick<Summary, 'range' | 'series' | 'currency'>): SeriesData {
  const step = stepOf(s.range)
  const scale = 10 ** minorDigits(s.currency)
  const pts = s.series
    .map((p) => ({ t: Date.parse(p.t) / 1000, orders: p.orders, revenue: p.revenue }))
    .filter((p) => Number.isFinite(p.t))
    .sort((a, b) => a.t - b.t)
  return {
    step,
    columns: [
      pts.map((p) => p.t),
      pts.map((p) => p.orders / step),
      pts.map((p) => p.revenue / scale),
    ],
  }
}

export interface Bar {
  key: string
  label: string
  value: number
  /** value / the largest value, 0..1, for the bar's length. */
  share: number
}

function bars(entries: { key: string; label: string; value: number }[]): Bar[] {
  const max = Math.max(0, ...entries.map((e) => e.value))
  return entries.map((e) => ({ ...e, share: max > 0 ? e.value / max : 0 }))
}

/** Orders by status in lifecycle order; statuses absent from the summary count 0. */
export function statusBars(byStatus: Summary['byStatus']): Bar[] {
  return bars(ORDER_STATUSES.map((s: OrderStatus) => ({ key: s, label: s, value: byStatus[s] ?? 0 })))
}

export function topProductBars(s: Pick<Summary, 'topProducts'>, by: 'units' | 'revenue' = 'units'): Bar[] {
  return bars(
    [...s.topProducts]
      .sort((a, b) => b[by] - a[by])
      .slice(0, 10)
      .map((p) => ({ key: p.productId, label: p.name, value: p[by] })),
  )
}

export function topCategoryBars(s: Pick<Summary, 'topCategories'>, by: 'units' | 'revenue' = 'revenue'): Bar[] {
  return bars(
    [...s.topCategories]
      .sort((a, b) => b[by] - a[by])
      .slice(0, 10)
      .map((c) => ({ key: c.category, label: c.category, value: c[by] })),
  )
}

export interface FunnelStep {
  key: keyof Summary['funnel']
  label: string
  count: number
  /** Share of the first step, 0..1. */
  ofStart: number
  /** Conversion from the step before, 0..1 (null for the first step or when the one before is 0). */
  fromPrevious: number | null
}

const FUNNEL: [keyof Summary['funnel'], string][] = [
  ['pageViews', 'Page views'],
  ['productViews', 'Product views'],
  ['addToCart', 'Added to cart'],
  ['checkouts', 'Checkouts'],
  ['orders', 'Orders'],
]

export function funnelSteps(f: Summary['funnel']): FunnelStep[] {
  const start = f.pageViews ?? 0
  return FUNNEL.map(([key, label], i) => {
    const count = f[key] ?? 0
    const prev = i === 0 ? 0 : f[FUNNEL[i - 1][0]] ?? 0
    return {
      key,
      label,
      count,
      ofStart: start > 0 ? Math.min(1, count / start) : 0,
      fromPrevious: i === 0 || prev <= 0 ? null : count / prev,
    }
  })
}

/** The overall conversion (orders / page views), or null when there were no page views. */
export function conversionRate(f: Summary['funnel']): number | null {
  return f.pageViews > 0 ? f.orders / f.pageViews : null
}

/**
 * A rolling window of latency points built from the pushed summaries (the
 * Summary carries only the current percentiles). Returns a new window; keeps
 * at most `max` points and ignores a summary it has already seen.
 */
export function appendLatency(win: Columns, s: Pick<Summary, 'at' | 'latencyMs'>, max = 300): Columns {
  const t = Date.parse(s.at) / 1000
  const xs = win[0]
  if (!Number.isFinite(t) || (xs.length && t <= xs[xs.length - 1])) return win
  const from = Math.max(0, xs.length + 1 - max)
  return [
    [...xs.slice(from), t],
    [...(win[1] ?? []).slice(from), s.latencyMs.p50],
    [...(win[2] ?? []).slice(from), s.latencyMs.p99],
  ]
}

export const emptyColumns = (n: number): Columns => [[], ...Array.from({ length: n }, () => [] as number[])] as Columns
