// Test helper: renders a page with the app's providers, a fake fetch and a
// RealtimeClient whose socket never opens unless the test opens it.
import { QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { MemoryRouter, Route, Routes } from 'react-router'
import { setFetch } from '../lib/api'
import { createQueryClient } from '../lib/query-client'
import { RealtimeProvider } from '../lib/realtime'
import { RealtimeClient, type SocketLike } from '../lib/realtime-client'
import { CartProvider } from '../features/cart/use-cart'
import { CartStore } from '../features/cart/cart'

export class FakeSocket implements SocketLike {
  readyState = 0
  onopen: ((ev: unknown) => void) | null = null
  onclose: ((ev: unknown) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  sent: { op: string; topic?: string }[] = []
  send(d: string) { this.sent.push(JSON.parse(d)) }
  close() {}
  open() { this.readyState = 1; this.onopen?.({}) }
  push(topic: string, data: unknown) { this.onmessage?.({ data: JSON.stringify({ topic, data }) }) }
}

export type Handler = (path: string, init: RequestInit) => Response | Promise<Response>

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' } })

/** Renders `element` at `path` (matched by `pattern`). Returns the fake socket and a restore function. */
export function renderRoute(element: ReactElement, { path, pattern = path, api }: { path: string; pattern?: string; api: Handler }) {
  const prev = setFetch(async (input, init) => api(String(input), init ?? {}))
  const socket = new FakeSocket()
  const client = new RealtimeClient({ url: 'ws://t/ws', createSocket: () => socket, setTimer: () => 0, clearTimer: () => {} })
  const utils = render(
    <QueryClientProvider client={createQueryClient()}>
      <RealtimeProvider client={client}>
        <CartProvider store={new CartStore(localStorage)}>
          <MemoryRouter initialEntries={[path]}>
            <Routes><Route path={pattern} element={element} /></Routes>
          </MemoryRouter>
        </CartProvider>
      </RealtimeProvider>
    </QueryClientProvider>,
  )
  return { ...utils, socket, restore: () => setFetch(prev) }
}
