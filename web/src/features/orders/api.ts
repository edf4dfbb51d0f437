import { api, query } from '../../lib/api'
import type { Order, OrderStatus, Page } from '../../lib/types'

export const orderKey = (id: string) => ['orders', 'one', id] as const
export const myOrdersKey = (status: string) => ['orders', 'mine', status] as const

export const fetchOrder = (id: string, signal?: AbortSignal) =>
  api<Order>(`/api/orders/${encodeURIComponent(id)}`, { signal })

export const fetchMyOrders = (status: string, cursor: string | undefined, signal?: AbortSignal) =>
  api<Page<Order>>(`/api/orders${query({ status, cursor, limit: 10 })}`, { signal })

export const cancelOrder = (id: string) =>
  api<Order>(`/api/orders/${encodeURIComponent(id)}/cancel`, { method: 'POST' })

export const CANCELLABLE: readonly OrderStatus[] = ['PLACED', 'CONFIRMED']
export const canCancel = (o: Pick<Order, 'status'>) => CANCELLABLE.includes(o.status)
