import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { json, renderRoute, type Handler } from '../../test/render'
import { STORAGE_KEY } from '../cart/cart'
import { ProductPage } from './product-page'

const kettle = { id: 'p-2', name: 'Gooseneck Kettle', description: '', price: 4999, currency: 'EUR', stock: 0, category: 'Brewing' }
const admin = { id: 'u-1', email: 'boss@example.com', name: 'Boss', role: 'admin' }
const customer = { ...admin, role: 'customer' }

let restore = () => {}
afterEach(() => {
  restore()
  localStorage.clear()
})

function show(api: Handler) {
  const r = renderRoute(<ProductPage />, { path: '/products/p-2', pattern: '/products/:id', api })
  restore = () => { r.restore() }
  return r
}

describe('ProductPage restock', () => {
  it('lets an admin add stock to a sold-out product and shows the new stock', async () => {
    const sent: unknown[] = []
    show((path, init) => {
      if (path === '/api/auth/me') return json(admin)
      if (path === '/api/admin/products/p-2/restock') {
        sent.push(JSON.parse(String(init.body)))
        return json({ ...kettle, stock: 25 })
      }
      if (path === '/api/products/p-2') return json(kettle)
      return json({}, 202)
    })
    expect(await screen.findByRole('button', { name: 'Sold out' })).toBeDisabled()
    const qty = await screen.findByLabelText('Add to stock')
    await userEvent.clear(qty)
    await userEvent.type(qty, '25')
    await userEvent.click(screen.getByRole('button', { name: 'Restock' }))
    expect(await screen.findByText('Restocked: 25 in stock.')).toBeInTheDocument()
    expect(sent).toEqual([{ quantity: 25 }])
    expect(screen.getByRole('button', { name: 'Add to cart' })).toBeEnabled()
  })

  it('shows the server’s reason when a restock is refused', async () => {
    show((path) => {
      if (path === '/api/auth/me') return json(admin)
      if (path.endsWith('/restock')) {
        return json({ status: 409, title: 'Conflict', detail: 'product p-2 would pass the limit', field: 'quantity' }, 409)
      }
      return json(kettle)
    })
    await userEvent.click(await screen.findByRole('button', { name: 'Restock' }))
    expect(await screen.findByText('product p-2 would pass the limit')).toBeInTheDocument()
  })

  it('shows no restock form to customers', async () => {
    show((path) => (path === '/api/auth/me' ? json(customer) : json(kettle)))
    expect(await screen.findByRole('heading', { name: 'Gooseneck Kettle' })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Restock' })).not.toBeInTheDocument()
  })
})

describe('ProductPage quantity', () => {
  const mug = { ...kettle, id: 'p-2', name: 'Stoneware Mug', stock: 40 }
  const api: Handler = (path) => (path === '/api/auth/me' ? json(customer) : json(mug))

  it('adds the quantity typed after clearing the field, not one with a leftover digit', async () => {
    show(api)
    const qty = await screen.findByLabelText('Quantity')
    await userEvent.clear(qty)
    await userEvent.type(qty, '3')
    await userEvent.click(screen.getByRole('button', { name: 'Add to cart' }))
    expect(JSON.parse(localStorage.getItem(STORAGE_KEY)!)).toEqual([expect.objectContaining({ productId: 'p-2', quantity: 3 })])
  })

  it('refuses a quantity over what is left, and says what is allowed', async () => {
    show(api)
    const qty = await screen.findByLabelText('Quantity')
    await userEvent.clear(qty)
    await userEvent.type(qty, '41')
    expect(screen.getByRole('button', { name: 'Add to cart' })).toBeDisabled()
    expect(screen.getByText('Enter a whole number from 1 to 40.')).toBeInTheDocument()
  })
})
