import { formatDateTime } from '../../lib/format'
import type { Order, OrderStatus } from '../../lib/types'
import { statusLabel } from './status-label'

const HAPPY: OrderStatus[] = ['PLACED', 'CONFIRMED', 'SHIPPED', 'DELIVERED']

/** The lifecycle as steps: done ones with their time, the current one marked, the rest to come. */
export function StatusTimeline({ order }: { order: Pick<Order, 'status' | 'history'> }) {
  const at = new Map(order.history.map((h) => [h.status, h]))
  const terminal = order.status === 'REJECTED' || order.status === 'CANCELLED'
  const steps: OrderStatus[] = terminal
    ? [...HAPPY.filter((s) => at.has(s)), order.status]
    : HAPPY
  const current = steps.indexOf(order.status)
  return (
    <ol className={`timeline${terminal ? ' timeline--stopped' : ''}`} aria-label="Order progress">
      {steps.map((s, i) => {
        const h = at.get(s)
        const state = i < current ? 'done' : i === current ? 'current' : 'todo'
        return (
          <li key={s} className={`timeline__step timeline__step--${state}${terminal && i === current ? ' timeline__step--bad' : ''}`} aria-current={state === 'current' ? 'step' : undefined}>
            <span className="timeline__dot" aria-hidden="true" />
            <span className="timeline__label">{statusLabel[s]}</span>
            {h ? <time className="timeline__time" dateTime={h.at}>{formatDateTime(h.at)}</time> : <span className="timeline__time">—</span>}
            {h?.reason ? <span className="timeline__reason">{h.reason}</span> : null}
          </li>
        )
      })}
    </ol>
  )
}
