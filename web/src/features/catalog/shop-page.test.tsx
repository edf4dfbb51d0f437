import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { json, renderRoute, type Handler } from '../../test/render'
import { STORAGE_KEY } from '../cart/cart'
import { ShopPage } from './shop-page'

const mug = { id: 'p-1', name: 'Stoneware Mug', description: '', price: 1250, currency: 'EUR', stock: 4, category: 'Cups' }
const kettle = { id: 'p-2', name: 'Gooseneck Kettle', description: '', price: 4999, currency: 'EUR', stock: 0, category: 'Brewing' }

let restore = () => {}
afterEach(() => restore())

function show(api: Handler) {
  const r = renderRoute(<ShopPage />, { path: '/', api })
  restore = () => { r.restore() }
  return r
}

const catalog: Handler = (path) => {
  if (path.startsWith('/api/categories')) return json({ items: [{ id: 'cups', name: 'Cups', count: 1 }] })
  if (path.startsWith('/api/products')) {
    const q = new URL(path, 'http://x').searchParams
    if (q.get('search') === 'nothing') return json({ items: [], nextCursor: null })
    return json({ items: [mug, kettle], nextCursor: 'c2' })
  }
  return json({}, 202)
}

describe('ShopPage', () => {
  it('lists products with prices and stock, and a next page', async () => {
    show(catalog)
    expect(await screen.findByRole('link', { name: /Stoneware Mug/ })).toBeInTheDocument()
    expect(screen.getByText('€12.50')).toBeInTheDocument()
    expect(screen.getByText('Only 4 left')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Sold out Gooseneck Kettle' })).toBeDisabled()
    expect(screen.getByRole('button', { name: /Next/ })).toBeEnabled()
    expect(screen.getByRole('button', { name: /Previous/ })).toBeDisabled()
  })

  it('adds a product to the stored cart', async () => {
    show(catalog)
    await userEvent.click(await screen.findByRole('button', { name: 'Add to cart Stoneware Mug' }))
    expect(JSON.parse(localStorage.getItem(STORAGE_KEY)!)).toEqual([
      expect.objectContaining({ productId: 'p-1', quantity: 1, unitPrice: 1250 }),
    ])
  })

  it('says so when a search finds nothing, and offers to clear it', async () => {
    show(catalog)
    await userEvent.type(await screen.findByLabelText('Search products'), 'nothing')
    await userEvent.click(screen.getByRole('button', { name: 'Search' }))
    expect(await screen.findByText('No products match')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Clear search and filters' })).toBeInTheDocument()
  })

  it('shows the server’s explanation when the catalog cannot load', async () => {
    show((path) => path.startsWith('/api/products')
      ? json({ status: 400, title: 'Bad Request', detail: 'limit is 500; the maximum is 100', field: 'limit' }, 400)
      : json({ items: [] }))
    expect(await screen.findByText('Could not load the products')).toBeInTheDocument()
    expect(screen.getByText('limit is 500; the maximum is 100')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument()
  })
})
