// A uPlot time-series chart sized to its container. The plot is created once;
// new data goes through setData, which redraws one canvas without touching the
// DOM tree, so per-second updates cost well under a millisecond and never flicker.
import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { Columns } from './summary-transform'

export interface ChartSeries {
  label: string
  color: string
  /** Fill under the line (area chart). */
  fill?: boolean
  /** Formats a value for the legend and the axis. */
  format?: (v: number) => string
  /** Second y axis on the right. */
  right?: boolean
}

interface Props {
  title: string
  data: Columns
  series: ChartSeries[]
  height?: number
}

const hm = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false })
const hms = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })

/** Tick spacings in seconds: never below a second, since labels show whole
 *  seconds (uPlot's own list goes down to milliseconds, which printed the same
 *  second twice while the live chart held under a few seconds of data). */
const TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]

/** 24-hour clock labels; seconds only when ticks are less than a minute apart. */
function timeLabel(t: number, incrSeconds: number): string {
  const d = new Date(t * 1000)
  return incrSeconds < 60 ? hms.format(d) : hm.format(d)
}

function css(name: string, fallback: string): string {
  const v = typeof window !== 'undefined' ? getComputedStyle(document.documentElement).getPropertyValue(name).trim() : ''
  return v || fallback
}

export function UPlotChart({ title, data, series, height = 220 }: Props) {
  const host = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const dataRef = useRef(data)
  dataRef.current = data

  // Create once per series layout.
  const layout = series.map((s) => `${s.label}|${s.color}|${s.right ? 1 : 0}`).join(',')
  useEffect(() => {
    const el = host.current
    if (!el) return
    const grid = { stroke: css('--chart-grid', '#e5e7eb'), width: 1 }
    const axisFont = '12px system-ui, sans-serif'
    const text = css('--text-muted', '#4b5563')
    const hasRight = series.some((s) => s.right)
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] }, r: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          scale: s.right ? 'r' : 'y',
          fill: s.fill ? `${s.color}22` : undefined,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v == null ? '—' : s.format ? s.format(v) : v.toFixed(2)),
        })),
      ],
      axes: [
        {
          stroke: text, grid, ticks: grid, font: axisFont, space: 70, incrs: TIME_INCRS,
          values: (_u, splits, _ai, _space, incr) => splits.map((t) => timeLabel(t, incr)),
        },
        {
          stroke: text, grid, ticks: grid, font: axisFont, size: 64, scale: 'y',
          values: (_u, vals) => vals.map((v) => (series[0].format ? series[0].format(v) : String(v))),
        },
        ...(hasRight
          ? [{
              side: 1, scale: 'r', stroke: text, grid: { show: false }, ticks: grid, font: axisFont, size: 64,
              values: (_u: uPlot, vals: number[]) => vals.map((v) => {
                const r = series.find((s) => s.right)!
                return r.format ? r.format(v) : String(v)
              }),
            } as uPlot.Axis]
          : []),
      ],
    }
    const u = new uPlot(opts, dataRef.current as uPlot.AlignedData, el)
    plot.current = u
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth)
      if (w !== u.width) u.setSize({ width: w, height })
    })
    ro.observe(el)
    return () => {
      ro.disconnect()
      u.destroy()
      plot.current = null
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [layout, height])

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData)
  }, [data])

  return (
    <figure className="chart">
      <figcaption className="chart__title">{title}</figcaption>
      <div ref={host} className="chart__plot" role="img" aria-label={`${title} chart`} />
    </figure>
  )
}
