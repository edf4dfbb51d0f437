import type { OrderStatus } from '../../lib/types'

export const statusLabel: Record<OrderStatus, string> = {
  PLACED: 'Placed', CONFIRMED: 'Confirmed', SHIPPED: 'Shipped', DELIVERED: 'Delivered',
  REJECTED: 'Rejected', CANCELLED: 'Cancelled',
}

export function StatusBadge({ status }: { status: OrderStatus }) {
  return <span className={`status status--${status.toLowerCase()}`} data-status={status}>{statusLabel[status] ?? status}</span>
}
