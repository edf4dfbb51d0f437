import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useMemo, useRef, useState } from 'react'
import { Segmented } from '../../components/segmented'
import { ErrorState, Loading } from '../../components/states'
import { formatCount } from '../../lib/format'
import { formatMoney, minorDigits } from '../../lib/money'
import { useTopic } from '../../lib/realtime'
import type { AnalyticsRange, OrderStatus, Summary } from '../../lib/types'
import { statusLabel } from '../orders/status-label'
import { fetchSummary, summaryKey } from './api'
import { BarList } from './bar-list'
import { LowStockPanel } from './low-stock'
import {
  appendLatency, conversionRate, emptyColumns, funnelSteps, statusBars, toSeries, topCategoryBars, topProductBars,
  type Columns,
} from './summary-transform'
import { UPlotChart } from './uplot-chart'
import { AdminNav } from './admin-nav'
import { usePageTitle } from '../../lib/page-title'

const RANGES: { value: AnalyticsRange; label: string }[] = [
  { value: '5m', label: 'Last 5 min' },
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 h' },
]

/** "€15K" for axis labels of large amounts (v in major units). */
function compactMoney(v: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-IE', { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(v)
  } catch {
    return `${Math.round(v)} ${currency}`
  }
}

const pct = (v: number | null) => (v == null ? '—' : `${(v * 100).toFixed(1)} %`)
const latencyNum = (v: number) => (v < 10 ? v.toFixed(1) : String(Math.round(v)))
const ms = (v: number) => (v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`)

function Kpi({ label, value, sub }: { label: string; value: string; sub?: string }) {
  return (
    <div className="kpi">
      <dt className="kpi__label">{label}</dt>
      <dd className="kpi__value">{value}</dd>
      {sub ? <dd className="kpi__sub">{sub}</dd> : null}
    </div>
  )
}

/**
 * The live Summary (range 5m): pushed every second on `analytics`. When no push
 * has come for 3 s (socket down, or up but silent) it is polled every 2 s instead.
 */
function useLiveSummary() {
  const qc = useQueryClient()
  const q = useQuery({
    queryKey: summaryKey('5m'),
    queryFn: ({ signal }) => fetchSummary('5m', signal),
    staleTime: Infinity,
  })
  const lastPush = useRef(0)
  const [pushing, setPushing] = useState(false)
  useTopic<Summary>('analytics', (s) => {
    if (s && typeof s === 'object' && Array.isArray(s.series)) {
      lastPush.current = Date.now()
      setPushing(true)
      qc.setQueryData(summaryKey('5m'), s)
    }
  })
  const refetch = q.refetch
  useEffect(() => {
    const id = setInterval(() => {
      if (Date.now() - lastPush.current > 3000) {
        setPushing(false)
        void refetch()
      }
    }, 2000)
    return () => clearInterval(id)
  }, [refetch])
  return { ...q, pushing }
}

export function DashboardPage() {
  const [range, setRange] = useState<AnalyticsRange>('5m')
  usePageTitle('Dashboard')
  const live = useLiveSummary()
  const ranged = useQuery({
    queryKey: summaryKey(range),
    queryFn: ({ signal }) => fetchSummary(range, signal),
    enabled: range !== '5m',
    refetchInterval: 10_000,
  })
  const view = range === '5m' ? live : ranged
  const s = view.data
  const now = live.data

  // Latency percentiles over time, from the pushed summaries.
  const [latency, setLatency] = useState<Columns>(() => emptyColumns(2))
  const lastAt = useRef('')
  useEffect(() => {
    if (now && now.at !== lastAt.current) {
      lastAt.current = now.at
      setLatency((w) => appendLatency(w, now))
    }
  }, [now])

  const series = useMemo(() => (s ? toSeries(s) : null), [s])
  const ordersCols = useMemo<Columns>(() => (series ? [series.columns[0], series.columns[1]] : emptyColumns(1)), [series])
  const revenueCols = useMemo<Columns>(() => (series ? [series.columns[0], series.columns[2]] : emptyColumns(1)), [series])

  const currency = s?.currency ?? now?.currency ?? 'EUR'
  const money = (v: number) => formatMoney(v, currency)
  const moneyMajor = (v: number) =>
    v >= 10_000 ? compactMoney(v, currency) : formatMoney(Math.round(v * 10 ** minorDigits(currency)), currency).replace(/\.00$/, '')

  return (
    <div className="dashboard">
      <AdminNav />
      <div className="page-head">
        <div>
          <h1>Live dashboard</h1>
          <p className="muted" aria-live="off">
            {live.pushing ? 'Updated every second from the analytics stream' : 'Live updates paused: refreshing every 2 seconds'}
            {now ? ` · last update ${new Date(now.at).toLocaleTimeString('en-GB')}` : ''}.
          </p>
        </div>
        <Segmented label="Time range" value={range} options={RANGES} onChange={setRange} />
      </div>

      {live.isLoading && !now ? (
        <Loading label="Loading analytics…" />
      ) : live.error && !now ? (
        <ErrorState error={live.error} onRetry={() => live.refetch()} title="Could not load the analytics" />
      ) : now ? (
        <>
          <dl className="kpis" aria-label="Key figures, last minute">
            <Kpi label="Orders / s" value={now.ordersPerSecond.toFixed(1)} sub="now" />
            <Kpi label="Orders / min" value={formatCount(now.ordersLastMinute)} sub="last minute" />
            <Kpi label="Revenue / min" value={money(now.revenueLastMinute)} sub="last minute" />
            <Kpi label="Average basket" value={money(now.averageBasket)} />
            <Kpi label="Conversion" value={pct(conversionRate(now.funnel))} sub="page view → order" />
            <Kpi label="Latency" value={`${latencyNum(now.latencyMs.p50)} / ${latencyNum(now.latencyMs.p99)}`} sub="p50 / p99 ms, accept → confirmed" />
          </dl>

          {view.isLoading ? <Loading label="Loading range…" /> : view.error ? (
            <ErrorState error={view.error} onRetry={() => view.refetch()} title="Could not load this range" />
          ) : s ? (
            <div className="panels">
              <section className="panel panel--wide card">
                <UPlotChart
                  title={`Orders per second${series?.step === 60 ? ' (per-minute average)' : ''}`}
                  data={ordersCols}
                  series={[{ label: 'Orders/s', color: '#2563eb', fill: true, format: (v) => v.toFixed(v < 10 ? 1 : 0) }]}
                />
              </section>
              <section className="panel panel--wide card">
                <UPlotChart
                  title={`Revenue per ${series?.step === 60 ? 'minute' : 'second'}`}
                  data={revenueCols}
                  series={[{ label: 'Revenue', color: '#059669', fill: true, format: moneyMajor }]}
                />
              </section>
              <section className="panel card">
                {/* The analytics windows count status changes, so this is the flow through each
                    status in the range, not how many orders sit in each status now: say so. */}
                <BarList
                  title={`Orders that reached each status · ${RANGES.find((r) => r.value === range)!.label.toLowerCase()}`}
                  note="Each order counts once for every status it reached in this period (a confirmed order counts under Placed and Confirmed); not the number of orders in each status now."
                  bars={statusBars(s.byStatus).map((b) => ({ ...b, label: statusLabel[b.key as OrderStatus] }))} format={formatCount} tone={(k) => `bars__fill--${k.toLowerCase()}`} />
              </section>
              <section className="panel card">
                <figure className="bars funnel">
                  <figcaption className="chart__title">Conversion funnel</figcaption>
                  <ol>
                    {funnelSteps(s.funnel).map((f) => (
                      <li key={f.key} className="bars__row">
                        <span className="bars__label">{f.label}</span>
                        <span className="bars__track" aria-hidden="true"><span className="bars__fill" style={{ transform: `scaleX(${f.ofStart})` }} /></span>
                        <span className="bars__value">{formatCount(f.count)}<small>{f.fromPrevious == null ? '' : ` ${pct(f.fromPrevious)}`}</small></span>
                      </li>
                    ))}
                  </ol>
                </figure>
              </section>
              <section className="panel card">
                <BarList title="Top products (units)" bars={topProductBars(s, 'units')} format={formatCount} />
              </section>
              <section className="panel card">
                <BarList title="Top categories (revenue)" bars={topCategoryBars(s, 'revenue')} format={money} />
              </section>
              <section className="panel card">
                <LowStockPanel />
              </section>
              <section className="panel panel--wide card">
                <UPlotChart
                  title="Accept → confirmed latency (live)"
                  data={latency}
                  series={[
                    { label: 'p50', color: '#7c3aed', format: ms },
                    { label: 'p99', color: '#dc2626', format: ms },
                  ]}
                />
              </section>
            </div>
          ) : null}
        </>
      ) : null}
    </div>
  )
}
