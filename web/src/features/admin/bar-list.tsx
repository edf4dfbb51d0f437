import type { Bar } from './summary-transform'

/** Horizontal bars in plain HTML/CSS: cheap to update every second, readable by screen readers. */
export function BarList({ title, note, bars, format, empty = 'No data yet', tone }: {
  title: string
  /** One sentence under the title saying exactly what is counted. */
  note?: string
  bars: Bar[]
  format: (v: number) => string
  empty?: string
  tone?: (key: string) => string
}) {
  const any = bars.some((b) => b.value > 0)
  return (
    <figure className="bars">
      <figcaption className="chart__title">{title}{note ? <span className="chart__note">{note}</span> : null}</figcaption>
      {!any ? <p className="muted bars__empty">{empty}</p> : (
        <ul>
          {bars.map((b) => (
            <li key={b.key} className="bars__row">
              <span className="bars__label" title={b.label}>{b.label}</span>
              <span className="bars__track" aria-hidden="true">
                <span className={`bars__fill ${tone ? tone(b.key) : ''}`} style={{ transform: `scaleX(${b.share})` }} />
              </span>
              <span className="bars__value">{format(b.value)}</span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  )
}
