import { QueryClientProvider } from '@tanstack/react-query'
import { render, screen } from '@testing-library/react'
import { MemoryRouter, Route, Routes } from 'react-router'
import { afterEach, describe, expect, it } from 'vitest'
import { setFetch } from '../../lib/api'
import { createQueryClient } from '../../lib/query-client'
import { RealtimeProvider } from '../../lib/realtime'
import { RealtimeClient } from '../../lib/realtime-client'
import { FakeSocket } from '../../test/render'
import type { Order } from '../../lib/types'
import { OrderPage } from './order-page'

// A real id's shape: its last 8 characters are the order's number in emails.
const ID = 'o-01a21de0653ef5033d0dec56'
const user = { id: 'c-1', email: 'ada@example.com', name: 'Ada', role: 'customer' }
let server: Order | null
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

let restore: typeof fetch | undefined
afterEach(() => { if (restore) setFetch(restore) })

function renderPage() {
  restore = setFetch(async (input) => {
    const path = String(input)
    if (path === '/api/auth/me') return json(user)
    if (path === `/api/orders/${ID}`) return server ? json(server) : json({ status: 404, detail: 'No order with this id.' }, 404)
    return json({ status: 404, detail: 'no such thing' }, 404)
  })
  const socket = new FakeSocket()
  const client = new RealtimeClient({ url: 'ws://t/ws', createSocket: () => socket, setTimer: () => 0, clearTimer: () => {} })
  render(
    <QueryClientProvider client={createQueryClient()}>
      <RealtimeProvider client={client}>
        <MemoryRouter initialEntries={[`/orders/${ID}`]}>
          <Routes><Route path="/orders/:id" element={<OrderPage />} /></Routes>
        </MemoryRouter>
      </RealtimeProvider>
    </QueryClientProvider>,
  )
  socket.readyState = 1
  socket.onopen?.({})
  return socket
}

describe('OrderPage', () => {
  it('turns from placed to confirmed when the status event is pushed', async () => {
    server = {
      id: ID, customerId: 'c-1', status: 'PLACED', total: 2500, currency: 'EUR',
      items: [{ productId: 'p-1', name: 'Mug', quantity: 2, unitPrice: 1250, lineTotal: 2500 }],
      shippingAddress: { name: 'Ada', line1: '1 Road', city: 'Town', postalCode: '123', country: 'GB' },
      createdAt: '2026-11-25T10:00:00.000Z', updatedAt: '2026-11-25T10:00:00.000Z',
      history: [{ status: 'PLACED', at: '2026-11-25T10:00:00.000Z' }],
    }
    const socket = renderPage()
    expect(await screen.findByRole('heading', { name: 'Thank you! Your order was received' })).toBeInTheDocument()
    expect(screen.getByText('€25.00', { selector: 'strong' })).toBeInTheDocument()
    // The number the confirmation email gives ("order 3D0DEC56"), and the full id.
    expect(screen.getByText('3D0DEC56', { selector: 'strong' })).toBeInTheDocument()
    expect(screen.getByText(ID)).toBeInTheDocument()
    expect(socket.sent).toContainEqual({ op: 'subscribe', topic: 'orders/c-1' })

    const ev = { orderId: ID, status: 'CONFIRMED', at: '2026-11-25T10:00:00.005Z' }
    server = { ...server!, status: 'CONFIRMED', history: [...server!.history, { status: 'CONFIRMED', at: ev.at }] }
    socket.onmessage?.({ data: JSON.stringify({ topic: 'orders/c-1', data: ev }) })

    expect(await screen.findByRole('heading', { name: 'Your order is confirmed' })).toBeInTheDocument()
    expect(screen.getByRole('listitem', { current: 'step' })).toHaveTextContent('Confirmed')
  })

  it('says when the order does not exist (or is someone else’s)', async () => {
    server = null
    renderPage()
    expect(await screen.findByText('We could not find that order')).toBeInTheDocument()
  })
})
