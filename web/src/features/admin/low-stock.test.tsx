import { screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { json, renderRoute } from '../../test/render'
import { LowStockPanel } from './low-stock'

const product = (id: string, name: string, stock: number) =>
  ({ id, name, stock, description: '', price: 100, currency: 'EUR', category: 'Cups' })

let restore = () => {}
afterEach(() => restore())

describe('LowStockPanel', () => {
  it('asks the server for up to 10 products with 10 or fewer left and lists them, linking to each', async () => {
    const asked: string[] = []
    const r = renderRoute(<LowStockPanel />, {
      path: '/admin',
      api: (path) => {
        asked.push(path)
        return json({ items: [product('p-2', 'Gooseneck Kettle', 0), product('p-3', 'Paper Filters', 4)], total: 2, threshold: 10 })
      },
    })
    restore = () => { r.restore() }
    const kettle = await screen.findByRole('link', { name: 'Gooseneck Kettle' })
    expect(kettle).toHaveAttribute('href', '/products/p-2')
    expect(screen.getByText('sold out')).toBeInTheDocument()
    expect(screen.getByText('4 left')).toBeInTheDocument()
    expect(screen.queryByText(/more$/)).not.toBeInTheDocument()
    const url = new URL(asked[0], 'http://x')
    expect(url.pathname).toBe('/api/admin/products/low-stock')
    expect(Object.fromEntries(url.searchParams)).toEqual({ threshold: '10', limit: '10' })
  })

  it('says how many more are low than it shows', async () => {
    const items = Array.from({ length: 10 }, (_, i) => product(`p-${i}`, `Product ${i}`, i))
    const r = renderRoute(<LowStockPanel />, { path: '/admin', api: () => json({ items, total: 13, threshold: 10 }) })
    restore = () => { r.restore() }
    expect(await screen.findByText('and 3 more')).toBeInTheDocument()
    expect(screen.getAllByRole('link')).toHaveLength(10)
  })

  it('says so when nothing is low', async () => {
    const r = renderRoute(<LowStockPanel />, { path: '/admin', api: () => json({ items: [], total: 0, threshold: 10 }) })
    restore = () => { r.restore() }
    expect(await screen.findByText('Every product has more than 10 in stock.')).toBeInTheDocument()
  })
})
