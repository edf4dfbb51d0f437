import { screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { json, renderRoute } from '../../test/render'
import { lowStock, LowStockPanel } from './low-stock'

const product = (id: string, name: string, stock: number) =>
  ({ id, name, stock, description: '', price: 100, currency: 'EUR', category: 'Cups' })

let restore = () => {}
afterEach(() => restore())

describe('lowStock', () => {
  it('keeps products at or under the limit, fewest first, then by name', () => {
    const all = [product('a', 'Mug', 3), product('b', 'Kettle', 0), product('c', 'Cup', 11), product('d', 'Bowl', 3)]
    expect(lowStock(all, 10).map((p) => p.id)).toEqual(['b', 'd', 'a'])
    expect(lowStock(all, 10, 1).map((p) => p.id)).toEqual(['b'])
  })
})

describe('LowStockPanel', () => {
  it('lists what is about to sell out across every page of the catalog, linking to each product', async () => {
    const pages: Record<string, unknown> = {
      '': { items: [product('p-1', 'Stoneware Mug', 40), product('p-2', 'Gooseneck Kettle', 0)], nextCursor: 'c2' },
      c2: { items: [product('p-3', 'Paper Filters', 4)], nextCursor: null },
    }
    const r = renderRoute(<LowStockPanel />, {
      path: '/admin',
      api: (path) => json(pages[new URL(path, 'http://x').searchParams.get('cursor') ?? '']),
    })
    restore = () => { r.restore() }
    const kettle = await screen.findByRole('link', { name: 'Gooseneck Kettle' })
    expect(kettle).toHaveAttribute('href', '/products/p-2')
    expect(screen.getByText('sold out')).toBeInTheDocument()
    expect(await screen.findByText('4 left')).toBeInTheDocument()
    expect(screen.queryByText('Stoneware Mug')).not.toBeInTheDocument()
  })

  it('says so when nothing is low', async () => {
    const r = renderRoute(<LowStockPanel />, { path: '/admin', api: () => json({ items: [product('p-1', 'Mug', 50)], nextCursor: null }) })
    restore = () => { r.restore() }
    expect(await screen.findByText('Every product has more than 10 in stock.')).toBeInTheDocument()
  })
})
