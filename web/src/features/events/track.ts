// Fire-and-forget user-activity events for the analytics funnel (POST /api/events).
// A failure here must never disturb the page.
import { api } from '../../lib/api'

export type ActivityType = 'page_view' | 'product_view' | 'add_to_cart' | 'checkout_started'

export function track(type: ActivityType, productId?: string): void {
  api('/api/events', { body: productId ? { type, productId } : { type } }).catch(() => {})
}
