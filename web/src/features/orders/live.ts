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

/**
 * For TanStack Query's `structuralSharing`: a refetch that read the server just
 * before a pushed change must not undo it, so an order already cached with a
 * later `updatedAt` is kept over the fetched one.
 */
export function keepNewerOrder(old: unknown, fetched: unknown): unknown {
  const o = old as Order | undefined
  const n = fetched as Order | undefined
  if (o && n && o.id === n.id && o.updatedAt > n.updatedAt) return o
  return fetched
}

/** keepNewerOrder for every order of an infinite list. */
export function keepNewerInPages(old: unknown, fetched: unknown): unknown {
  const o = old as { pages?: Page<Order>[] } | undefined
  const n = fetched as { pages?: Page<Order>[] } | undefined
  if (!o?.pages || !n?.pages) return fetched
  const known = new Map<string, Order>()
  for (const p of o.pages) for (const x of p.items) known.set(x.id, x)
  return {
    ...n,
    pages: n.pages.map((p) => ({
      ...p,
      items: p.items.map((x) => {
        const k = known.get(x.id)
        return k && k.updatedAt > x.updatedAt ? k : x
      }),
    })),
  }
}
