import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import type { Order } from '../../lib/types'
import { json, renderRoute } from '../../test/render'
import { AdminOrdersPage } from './admin-orders-page'

const order: Order = {
  id: 'o-1', customerId: 'c-7', customerName: 'Grace Hopper', customerEmail: 'grace@example.com',
  status: 'CONFIRMED', total: 4200, currency: 'EUR',
  items: [{ productId: 'p-1', name: 'Kettle', quantity: 1, unitPrice: 4200, lineTotal: 4200 }],
  shippingAddress: { name: 'Grace', line1: '1 Road', city: 'Town', postalCode: '123', country: 'US' },
  createdAt: '2026-11-25T10:00:00.000Z', updatedAt: '2026-11-25T10:00:01.000Z',
  history: [{ status: 'PLACED', at: '2026-11-25T10:00:00.000Z' }, { status: 'CONFIRMED', at: '2026-11-25T10:00:01.000Z' }],
}

let restore = () => {}
afterEach(() => restore())

describe('AdminOrdersPage', () => {
  it('shows the filtered customer and ships an order, then shows the pushed status', async () => {
    const posts: { path: string; body: unknown }[] = []
    let listed = 0
    let release = () => {}
    const r = renderRoute(<AdminOrdersPage />, {
      path: '/admin/orders?customerId=c-7',
      pattern: '/admin/orders',
      api: (path, init) => {
        if (path.startsWith('/api/admin/orders?')) {
          expect(new URL(path, 'http://x').searchParams.get('customerId')).toBe('c-7')
          listed++
          // The reload after the action read the table before the change: it answers CONFIRMED, late.
          if (listed === 2) return new Promise<Response>((resolve) => { release = () => resolve(json({ items: [order], nextCursor: null })) })
          return json({ items: [order], nextCursor: null })
        }
        if (path === '/api/admin/customers/c-7')
          return json({ customer: { id: 'c-7', email: 'grace@example.com', name: 'Grace Hopper', role: 'customer' }, orderCount: 1, orders: [order] })
        if (init.method === 'POST') {
          posts.push({ path, body: JSON.parse(String(init.body)) })
          return json({ id: 'o-1', status: 'SHIPPED' }, 202)
        }
        return json({ status: 404 }, 404)
      },
    })
    restore = () => { r.restore() }
    r.socket.open()
    expect(await screen.findByRole('heading', { name: 'Grace Hopper' })).toBeInTheDocument()
    const customer = screen.getByRole('region', { name: 'Customer' })
    expect(within(customer).getByText('€42.00')).toBeInTheDocument()
    const listedRow = screen.getByRole('row', { name: /o-1/ })
    expect(within(listedRow).getByRole('button', { name: 'Grace Hopper' })).toHaveAttribute('title', 'Orders of c-7')
    expect(within(listedRow).getByText('grace@example.com')).toBeInTheDocument()

    await userEvent.click(await screen.findByRole('button', { name: 'Ship order o-1' }))
    expect(posts).toEqual([{ path: '/api/admin/orders/o-1/status', body: { status: 'SHIPPED' } }])

    await waitFor(() => expect(listed).toBe(2))
    r.socket.push('admin/orders', { orderId: 'o-1', status: 'SHIPPED', at: '2026-11-25T11:00:00.000Z' })
    const row = screen.getByRole('row', { name: /o-1/ })
    expect(await within(row).findByText('Shipped')).toBeInTheDocument()
    expect(within(row).getByRole('button', { name: 'Deliver order o-1' })).toBeInTheDocument()

    // The stale answer arrives after the push: the row must stay SHIPPED.
    await act(async () => {
      release()
      await new Promise((r) => setTimeout(r, 50))
    })
    expect(within(screen.getByRole('row', { name: /o-1/ })).getByText('Shipped')).toBeInTheDocument()
  })

  it('filters by a customer’s email and shows the account the orders belong to', async () => {
    const asked: URLSearchParams[] = []
    const r = renderRoute(<AdminOrdersPage />, {
      path: '/admin/orders',
      api: (path) => {
        if (path.startsWith('/api/admin/orders?')) {
          const q = new URL(path, 'http://x').searchParams
          asked.push(q)
          return json({ items: q.get('customerEmail') || !q.get('customerId') ? [order] : [], nextCursor: null })
        }
        if (path === '/api/admin/customers/c-7')
          return json({ customer: { id: 'c-7', email: 'grace@example.com', name: 'Grace Hopper', role: 'customer' }, orderCount: 1, orders: [order] })
        return json({ status: 404 }, 404)
      },
    })
    restore = () => { r.restore() }
    await userEvent.type(await screen.findByLabelText('Customer or order'), 'GRACE@example.com')
    await userEvent.click(screen.getByRole('button', { name: 'Filter' }))
    expect(await screen.findByRole('heading', { name: 'Grace Hopper' })).toBeInTheDocument()
    const card = screen.getByRole('region', { name: 'Customer' })
    expect(within(card).getByText('Orders').nextElementSibling).toHaveTextContent('1')
    expect(within(card).getByText('Spent').nextElementSibling).toHaveTextContent('€42.00')
    const last = asked[asked.length - 1]
    expect(last.get('customerEmail')).toBe('GRACE@example.com')
    expect(last.get('customerId')).toBeNull()
  })

  it('finds an order by the number its emails give, alone, and a status ends that search', async () => {
    const numbered = { ...order, id: 'o-01a21de217083d6c74161bc8' }
    const asked: URLSearchParams[] = []
    const r = renderRoute(<AdminOrdersPage />, {
      path: '/admin/orders?status=CONFIRMED',
      pattern: '/admin/orders',
      api: (path) => {
        if (!path.startsWith('/api/admin/orders?')) return json({ status: 404 }, 404)
        const q = new URL(path, 'http://x').searchParams
        asked.push(q)
        return json({ items: q.get('orderNumber') ? [numbered] : [order], nextCursor: null })
      },
    })
    restore = () => { r.restore() }
    await userEvent.type(await screen.findByLabelText('Customer or order'), '74161BC8')
    await userEvent.click(screen.getByRole('button', { name: 'Filter' }))
    expect(await screen.findByRole('link', { name: '74161BC8' })).toBeInTheDocument()
    let last = asked[asked.length - 1]
    expect(last.get('orderNumber')).toBe('74161BC8')
    expect(last.get('status')).toBeNull()
    expect(last.get('customerId')).toBeNull()
    expect(screen.queryByRole('region', { name: 'Customer' })).toBeNull()

    await userEvent.selectOptions(screen.getByLabelText('Status'), 'SHIPPED')
    await waitFor(() => expect(asked[asked.length - 1].get('status')).toBe('SHIPPED'))
    last = asked[asked.length - 1]
    expect(last.get('orderNumber')).toBeNull()
    expect(screen.getByLabelText('Customer or order')).toHaveValue('')
  })

  it('counts every order of the customer, and says when what was spent covers only the latest', async () => {
    const latest = Array.from({ length: 100 }, (_, i) => ({ ...order, id: `o-${i}` }))
    const r = renderRoute(<AdminOrdersPage />, {
      path: '/admin/orders?customerId=c-7',
      pattern: '/admin/orders',
      api: (path) => {
        if (path.startsWith('/api/admin/orders?')) return json({ items: [order], nextCursor: null })
        if (path === '/api/admin/customers/c-7')
          return json({ customer: { id: 'c-7', email: 'grace@example.com', name: 'Grace Hopper', role: 'customer' }, orderCount: 250, orders: latest })
        return json({ status: 404 }, 404)
      },
    })
    restore = () => { r.restore() }
    const card = await screen.findByRole('region', { name: 'Customer' })
    expect(within(card).getByText('Orders').nextElementSibling).toHaveTextContent('250')
    expect(within(card).getByText('Spent on the last 100').nextElementSibling).toHaveTextContent('€4,200.00')
  })
})
