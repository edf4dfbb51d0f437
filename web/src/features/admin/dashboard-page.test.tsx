import { act, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Summary } from '../../lib/types'
import { json, renderRoute } from '../../test/render'
import { DashboardPage } from './dashboard-page'

// uPlot needs a canvas; the chart's data path is covered by summary-transform tests.
vi.mock('./uplot-chart', () => ({
  UPlotChart: ({ title, data }: { title: string; data: unknown[][] }) => <figure aria-label={title}>{data[0].length} points</figure>,
}))

const summary = (over: Partial<Summary> = {}): Summary => ({
  at: '2026-11-25T19:42:00.000Z', range: '5m', currency: 'EUR',
  ordersPerSecond: 12, ordersLastMinute: 700, revenueLastMinute: 123400, averageBasket: 1763,
  byStatus: { CONFIRMED: 690, REJECTED: 9 },
  topProducts: [{ productId: 'p-1', name: 'Kenya AA', units: 40, revenue: 79960 }],
  topCategories: [{ category: 'Coffee', units: 90, revenue: 150000 }],
  funnel: { pageViews: 5000, productViews: 2100, addToCart: 900, checkouts: 750, orders: 700 },
  latencyMs: { p50: 1.2, p99: 4.8 },
  series: [{ t: '2026-11-25T19:41:59.000Z', orders: 11, revenue: 19200 }],
  ...over,
})

let restore = () => {}
afterEach(() => restore())

const tile = (label: string) => screen.getByText(label, { selector: 'dt' }).parentElement!

describe('DashboardPage', () => {
  it('shows the KPI tiles and moves them with each pushed summary', async () => {
    const r = renderRoute(<DashboardPage />, {
      path: '/admin',
      api: (path) => (path.startsWith('/api/analytics/summary') ? json(summary()) : json({}, 404)),
    })
    restore = () => { r.restore() }
    r.socket.open()
    expect(await screen.findByText('Orders / min', { selector: 'dt' })).toBeInTheDocument()
    expect(within(tile('Orders / min')).getByText('700')).toBeInTheDocument()
    expect(within(tile('Revenue / min')).getByText('€1,234.00')).toBeInTheDocument()
    expect(within(tile('Conversion')).getByText('14.0 %')).toBeInTheDocument()
    expect(within(tile('Latency')).getByText('1.2 / 4.8')).toBeInTheDocument()
    expect(within(tile('Latency')).getByText('p50 / p99 ms, accept → confirmed')).toBeInTheDocument()
    expect(r.socket.sent).toContainEqual({ op: 'subscribe', topic: 'analytics' })

    act(() => r.socket.push('analytics', summary({ at: '2026-11-25T19:42:01.000Z', ordersLastMinute: 712, ordersPerSecond: 13 })))
    // TanStack Query notifies on the next tick.
    expect(await within(tile('Orders / min')).findByText('712')).toBeInTheDocument()
    expect(within(tile('Orders / s')).getByText('13.0')).toBeInTheDocument()
    expect(screen.getByRole('figure', { name: 'Accept → confirmed latency (live)' })).toHaveTextContent('2 points')
  })

  it('asks for the chosen range and labels per-minute data', async () => {
    const asked: string[] = []
    const r = renderRoute(<DashboardPage />, {
      path: '/admin',
      api: (path) => {
        asked.push(path)
        const range = new URL(path, 'http://x').searchParams.get('range') as Summary['range']
        return json(summary({ range }))
      },
    })
    restore = () => { r.restore() }
    await userEvent.click(await screen.findByRole('radio', { name: 'Last hour' }))
    expect(await screen.findByRole('figure', { name: 'Orders per second (per-minute average)' })).toBeInTheDocument()
    expect(asked).toContain('/api/analytics/summary?range=1h')
    // The status chart says it counts statuses reached in the chosen range, not orders in each status now.
    expect(screen.getByText(/Orders that reached each status · last hour/)).toBeInTheDocument()
    expect(screen.getByText(/not the number of orders in each status now/)).toBeInTheDocument()
  })

  it('explains a failure to load', async () => {
    const r = renderRoute(<DashboardPage />, {
      path: '/admin',
      api: () => json({ status: 403, title: 'Forbidden', detail: 'Only administrators can read analytics.' }, 403),
    })
    restore = () => { r.restore() }
    expect(await screen.findByText('Could not load the analytics')).toBeInTheDocument()
    expect(screen.getByText('Only administrators can read analytics.')).toBeInTheDocument()
  })
})
