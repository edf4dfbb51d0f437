import { api, query } from '../../lib/api'
import type { AnalyticsRange, Order, OrderStatus, Page, Product, Summary } from '../../lib/types'

export const summaryKey = (range: AnalyticsRange) => ['analytics', range] as const

export const fetchSummary = (range: AnalyticsRange, signal?: AbortSignal) =>
  api<Summary>(`/api/analytics/summary${query({ range })}`, { signal })

export interface AdminOrderFilter {
  status?: string
  customerId?: string
  /** Instead of customerId: the account's email (any case). */
  customerEmail?: string
  /** Alone: the number an order's emails give (its id's last 8 characters). */
  orderNumber?: string
}

export const adminOrdersKey = (f: AdminOrderFilter) => ['admin-orders', f] as const

export const fetchAdminOrders = (f: AdminOrderFilter, cursor: string | undefined, signal?: AbortSignal) =>
  api<Page<Order>>(`/api/admin/orders${query({ status: f.status, customerId: f.customerId, customerEmail: f.customerEmail, orderNumber: f.orderNumber, cursor, limit: 25 })}`, { signal })

export const setOrderStatus = (id: string, status: Extract<OrderStatus, 'SHIPPED' | 'DELIVERED' | 'CANCELLED'>) =>
  api<{ id: string; status: OrderStatus }>(`/api/admin/orders/${encodeURIComponent(id)}/status`, { body: { status } })

export interface CustomerView {
  customer: { id: string; email: string; name: string; role: string }
  /** Every order of the customer (`orders` holds the latest 100). */
  orderCount: number
  orders: Order[]
}

export const customerKey = (id: string) => ['admin-customer', id] as const

export const fetchCustomer = (id: string, signal?: AbortSignal) =>
  api<CustomerView>(`/api/admin/customers/${encodeURIComponent(id)}`, { signal })

export const lowStockKey = ['products', 'low-stock'] as const

export interface LowStock {
  /** The first `limit` products with at most `threshold` units, fewest first, then by name. */
  items: Product[]
  /** How many products have at most `threshold` units. */
  total: number
  threshold: number
}

export const fetchLowStock = (threshold: number, limit: number, signal?: AbortSignal) =>
  api<LowStock>(`/api/admin/products/low-stock${query({ threshold, limit })}`, { signal })
