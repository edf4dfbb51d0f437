import { useQueryClient, type InfiniteData } from '@tanstack/react-query'
import { useTopic } from '../../lib/realtime'
import type { Order, OrderStatusEvent, Page } from '../../lib/types'
import { orderKey } from './api'
import { applyStatusEvent, applyToPages } from './live'

/**
 * Keeps every cached order of `topic` (`orders/<customerId>` or `admin/orders`)
 * current: applies each pushed status change at once, then refetches the
 * order so its history is the server's.
 */
export function useLiveOrders(topic: string | null, listPrefix: readonly string[] = ['orders', 'mine']) {
  const qc = useQueryClient()
  useTopic<OrderStatusEvent>(topic, (ev) => {
    if (!ev || typeof ev.orderId !== 'string') return
    qc.setQueryData<Order>(orderKey(ev.orderId), (o) => (o ? applyStatusEvent(o, ev) : o))
    void qc.invalidateQueries({ queryKey: orderKey(ev.orderId) })
    let missing = false
    for (const [key, data] of qc.getQueriesData<InfiniteData<Page<Order>>>({ queryKey: listPrefix })) {
      if (!data?.pages) continue
      const { pages, found } = applyToPages(data.pages, ev)
      if (found) qc.setQueryData(key, { ...data, pages })
      else missing = true
    }
    // A status filter may now include or exclude the order; a new order is not in any page yet.
    if (missing) void qc.invalidateQueries({ queryKey: listPrefix, refetchType: 'active' })
  })
}
