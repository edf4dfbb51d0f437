// Types of the /api/ contract (docs/api.md). Money is integer minor units.

export type Role = 'customer' | 'admin'

export interface User {
  id: string
  email: string
  name: string
  role: Role
}

export interface Product {
  id: string
  name: string
  description: string
  price: number
  currency: string
  stock: number
  category: string
  imageUrl?: string
}

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export interface Category {
  id: string
  name: string
  count: number
}

export const ORDER_STATUSES = [
  'PLACED',
  'CONFIRMED',
  'SHIPPED',
  'DELIVERED',
  'REJECTED',
  'CANCELLED',
] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

export interface ShippingAddress {
  name: string
  line1: string
  line2?: string
  city: string
  postalCode: string
  country: string
}

export interface OrderItem {
  productId: string
  name: string
  quantity: number
  unitPrice: number
  lineTotal: number
}

export interface StatusChange {
  status: OrderStatus
  at: string
  reason?: string
}

export interface Order {
  id: string
  customerId: string
  /** The account's name and email when the order was placed (absent on old orders). */
  customerName?: string
  customerEmail?: string
  status: OrderStatus
  items: OrderItem[]
  total: number
  currency: string
  shippingAddress: ShippingAddress
  createdAt: string
  updatedAt: string
  history: StatusChange[]
}

/** Pushed on `orders/<customerId>` and `admin/orders`. */
export interface OrderStatusEvent {
  orderId: string
  status: OrderStatus
  at: string
  reason?: string
}

export type AnalyticsRange = '5m' | '1h' | '24h'

export interface Summary {
  at: string
  range: AnalyticsRange
  currency: string
  ordersPerSecond: number
  ordersLastMinute: number
  revenueLastMinute: number
  averageBasket: number
  byStatus: Partial<Record<OrderStatus, number>>
  topProducts: { productId: string; name: string; units: number; revenue: number }[]
  topCategories: { category: string; units: number; revenue: number }[]
  funnel: {
    pageViews: number
    productViews: number
    addToCart: number
    checkouts: number
    orders: number
  }
  latencyMs: { p50: number; p99: number }
  series: { t: string; orders: number; revenue: number }[]
}
