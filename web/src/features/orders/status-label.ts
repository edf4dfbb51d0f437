import type { OrderStatus } from '../../lib/types'

export const statusLabel: Record<OrderStatus, string> = {
  PLACED: 'Placed', CONFIRMED: 'Confirmed', SHIPPED: 'Shipped', DELIVERED: 'Delivered',
  REJECTED: 'Rejected', CANCELLED: 'Cancelled',
}
