import type { OrderStatus } from '../../lib/types'

export type AdminAction = { to: 'SHIPPED' | 'DELIVERED' | 'CANCELLED'; label: string }

/** What an admin may do next with an order in `status`. */
export function actionsFor(status: OrderStatus): AdminAction[] {
  switch (status) {
    case 'PLACED':
      return [{ to: 'CANCELLED', label: 'Cancel' }]
    case 'CONFIRMED':
      return [{ to: 'SHIPPED', label: 'Ship' }, { to: 'CANCELLED', label: 'Cancel' }]
    case 'SHIPPED':
      return [{ to: 'DELIVERED', label: 'Deliver' }]
    default:
      return []
  }
}
