import { describe, expect, it } from 'vitest'
import {
  addItem, cartTotals, CartStore, itemCount, MAX_QUANTITY, orderItems, parseCart, removeItem,
  setQuantity, STORAGE_KEY, type Cart,
} from './cart'

const mug = { id: 'p-1', name: 'Mug', price: 1250, currency: 'EUR', stock: 5 }
const beans = { id: 'p-2', name: 'Beans', price: 1999, currency: 'EUR' }

describe('cart logic', () => {
  it('adds a product as a new line and again as more of the same line', () => {
    let c: Cart = []
    c = addItem(c, mug)
    c = addItem(c, beans, 2)
    c = addItem(c, mug)
    expect(c.map((l) => [l.productId, l.quantity])).toEqual([['p-1', 2], ['p-2', 2]])
    expect(itemCount(c)).toBe(4)
  })

  it('totals in integer minor units', () => {
    let c: Cart = addItem([], beans, 3)
    c = addItem(c, { id: 'p-3', name: 'Filter', price: 10, currency: 'EUR' }, 7)
    expect(cartTotals(c)).toEqual([{ currency: 'EUR', amount: 3 * 1999 + 70 }])
  })

  it('never goes over the stock or the per-line maximum', () => {
    expect(addItem([], mug, 9)[0].quantity).toBe(5)
    expect(addItem(addItem([], mug, 4), mug, 4)[0].quantity).toBe(5)
    expect(setQuantity(addItem([], beans), 'p-2', 1000)[0].quantity).toBe(MAX_QUANTITY)
  })

  it('does not add a product that is out of stock', () => {
    expect(addItem([], { ...mug, stock: 0 })).toEqual([])
  })

  it('removes a line, also when its quantity is set to zero', () => {
    const c = addItem(addItem([], mug), beans)
    expect(removeItem(c, 'p-1').map((l) => l.productId)).toEqual(['p-2'])
    expect(setQuantity(c, 'p-2', 0).map((l) => l.productId)).toEqual(['p-1'])
  })

  it('keeps totals per currency when currencies are mixed', () => {
    const c = addItem(addItem([], mug), { id: 'u', name: 'US', price: 100, currency: 'USD' })
    expect(cartTotals(c)).toEqual([{ currency: 'EUR', amount: 1250 }, { currency: 'USD', amount: 100 }])
  })

  it('builds the order request items', () => {
    expect(orderItems(addItem([], beans, 2))).toEqual([{ productId: 'p-2', quantity: 2 }])
  })

  it('drops malformed stored lines instead of failing', () => {
    expect(parseCart('{oops')).toEqual([])
    expect(parseCart('{"a":1}')).toEqual([])
    const ok = { productId: 'p', name: 'n', unitPrice: 1, currency: 'EUR', quantity: 1 }
    expect(parseCart(JSON.stringify([ok, { ...ok, quantity: -1 }, { ...ok, unitPrice: 1.5 }]))).toEqual([ok])
  })
})

describe('CartStore', () => {
  it('survives a reload: a new store reads what the last one wrote', () => {
    const a = new CartStore(localStorage)
    a.update((c) => addItem(c, beans, 2))
    const b = new CartStore(localStorage)
    expect(b.get()).toEqual(a.get())
    expect(JSON.parse(localStorage.getItem(STORAGE_KEY)!)[0].quantity).toBe(2)
  })

  it('tells subscribers about changes, and only about real ones', () => {
    const s = new CartStore(localStorage)
    let calls = 0
    s.subscribe(() => calls++)
    s.update((c) => addItem(c, mug))
    s.update((c) => c) // no change: no notification
    expect(calls).toBe(1)
  })

  it('picks up a change written by another tab', () => {
    const s = new CartStore(localStorage)
    localStorage.setItem(STORAGE_KEY, JSON.stringify([{ productId: 'x', name: 'X', unitPrice: 5, currency: 'EUR', quantity: 3 }]))
    s.reload()
    expect(itemCount(s.get())).toBe(3)
  })
})
