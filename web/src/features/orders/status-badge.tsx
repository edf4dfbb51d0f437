import type { OrderStatus } from '../../lib/types'
import { statusLabel } from './status-label'


export function StatusBadge({ status }: { status: OrderStatus }) {
  return <span className={`status status--${status.toLowerCase()}`} data-status={status}>{statusLabel[status] ?? status}</span>
}
