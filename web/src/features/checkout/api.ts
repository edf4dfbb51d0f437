import { api } from '../../lib/api'
import type { OrderStatus, ShippingAddress } from '../../lib/types'
import { orderItems, type Cart } from '../cart/cart'
import { cleanAddress } from './validate'

/** POST /api/orders; the key makes a retried request place the order only once. */
export function placeOrder(cart: Cart, address: ShippingAddress, idempotencyKey: string) {
  return api<{ id: string; status: OrderStatus }>('/api/orders', {
    body: { items: orderItems(cart), shippingAddress: cleanAddress(address) },
    headers: { 'Idempotency-Key': idempotencyKey },
  })
}
