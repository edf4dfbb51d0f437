// Applying pushed status changes (`orders/<customerId>`, `admin/orders`) to cached orders.
import type { Order, OrderStatusEvent, Page } from '../../lib/types'

/** The order after `ev`; the same object when `ev` is not for it or is already applied. */
export function applyStatusEvent(order: Order, ev: OrderStatusEvent): Order {
  if (order.id !== ev.orderId) return order
  if (order.history.some((h) => h.status === ev.status && h.at === ev.at)) return order
  // An event older than the newest change we know must not move the status back.
  const newest = order.history.reduce((m, h) => (h.at > m ? h.at : m), '')
  const history = [...order.history, { status: ev.status, at: ev.at, ...(ev.reason ? { reason: ev.reason } : {}) }]
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
  return {
    ...order,
    status: ev.at >= newest ? ev.status : order.status,
    updatedAt: ev.at >= newest ? ev.at : order.updatedAt,
    history,
  }
}

/** Applies `ev` across the pages of a list; reports whether the order was in it. */
export function applyToPages(pages: Page<Order>[], ev: OrderStatusEvent): { pages: Page<Order>[]; found: boolean } {
  let found = false
  const out = pages.map((p) => {
    let changed = false
    const items = p.items.map((o) => {
      if (o.id !== ev.orderId) return o
      found = true
      const n = applyStatusEvent(o, ev)
      if (n !== o) changed = true
      return n
    })
    return changed ? { ...p, items } : p
  })
  return { pages: out, found }
}
