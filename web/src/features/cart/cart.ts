// The cart: pure functions over an immutable list of lines, plus a small store
// that keeps it in localStorage (so it survives reloads) and follows changes
// made in other tabs. Amounts are integer minor units.
import type { Product } from '../../lib/types'

export const MAX_QUANTITY = 99
export const STORAGE_KEY = 'rivulet.cart.v1'

export interface CartLine {
  productId: string
  name: string
  unitPrice: number
  currency: string
  quantity: number
  /** Stock when the line was last touched; caps the quantity when known. */
  stock?: number
}

export type Cart = readonly CartLine[]

function clampQuantity(q: number, stock?: number): number {
  const max = Math.min(MAX_QUANTITY, stock ?? MAX_QUANTITY)
  if (!Number.isFinite(q)) return 1
  return Math.max(0, Math.min(max, Math.floor(q)))
}

export function addItem(cart: Cart, p: Pick<Product, 'id' | 'name' | 'price' | 'currency'> & { stock?: number }, quantity = 1): Cart {
  const i = cart.findIndex((l) => l.productId === p.id)
  if (i < 0) {
    const q = clampQuantity(quantity, p.stock)
    if (q === 0) return cart
    return [...cart, { productId: p.id, name: p.name, unitPrice: p.price, currency: p.currency, quantity: q, stock: p.stock }]
  }
  const line = cart[i]
  const stock = p.stock ?? line.stock
  const next = { ...line, name: p.name, unitPrice: p.price, stock, quantity: clampQuantity(line.quantity + quantity, stock) }
  return cart.map((l, j) => (j === i ? next : l))
}

/** Sets a line's quantity; 0 or less removes it. */
export function setQuantity(cart: Cart, productId: string, quantity: number): Cart {
  if (quantity <= 0) return removeItem(cart, productId)
  return cart.map((l) => (l.productId === productId ? { ...l, quantity: clampQuantity(quantity, l.stock) || 1 } : l))
}

export function removeItem(cart: Cart, productId: string): Cart {
  return cart.filter((l) => l.productId !== productId)
}

export function itemCount(cart: Cart): number {
  return cart.reduce((n, l) => n + l.quantity, 0)
}

export interface CartTotal {
  amount: number
  currency: string
}

/** The total in minor units; one entry per currency (normally one). */
export function cartTotals(cart: Cart): CartTotal[] {
  const by = new Map<string, number>()
  for (const l of cart) by.set(l.currency, (by.get(l.currency) ?? 0) + l.unitPrice * l.quantity)
  return [...by].map(([currency, amount]) => ({ currency, amount }))
}

/** The body's `items` for POST /api/orders. */
export function orderItems(cart: Cart): { productId: string; quantity: number }[] {
  return cart.map((l) => ({ productId: l.productId, quantity: l.quantity }))
}

/** Reads a stored cart, dropping anything malformed rather than failing. */
export function parseCart(raw: string | null): Cart {
  if (!raw) return []
  try {
    const v = JSON.parse(raw)
    if (!Array.isArray(v)) return []
    return v.filter(
      (l): l is CartLine =>
        l && typeof l.productId === 'string' && typeof l.name === 'string' &&
        Number.isInteger(l.unitPrice) && l.unitPrice >= 0 && typeof l.currency === 'string' &&
        Number.isInteger(l.quantity) && l.quantity > 0 && l.quantity <= MAX_QUANTITY,
    )
  } catch {
    return []
  }
}

/** A cart kept in `storage` under STORAGE_KEY, observable for useSyncExternalStore. */
export class CartStore {
  private cart: Cart
  private readonly listeners = new Set<() => void>()
  private readonly storage: Storage

  constructor(storage: Storage = window.localStorage) {
    this.storage = storage
    this.cart = parseCart(this.read())
  }

  get = (): Cart => this.cart

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }

  update(f: (c: Cart) => Cart): void {
    const next = f(this.cart)
    if (next === this.cart) return
    this.cart = next
    try {
      this.storage.setItem(STORAGE_KEY, JSON.stringify(next))
    } catch {
      // Storage full or disabled: the cart still works for this page's life.
    }
    this.emit()
  }

  /** Call when another tab changed the storage. */
  reload(): void {
    this.cart = parseCart(this.read())
    this.emit()
  }

  private read(): string | null {
    try {
      return this.storage.getItem(STORAGE_KEY)
    } catch {
      return null
    }
  }

  private emit() {
    for (const l of [...this.listeners]) l()
  }
}
