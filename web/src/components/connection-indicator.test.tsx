import { act, render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { RealtimeProvider } from '../lib/realtime'
import { RealtimeClient } from '../lib/realtime-client'
import { FakeSocket } from '../test/render'
import { ConnectionIndicator } from './connection-indicator'

describe('ConnectionIndicator', () => {
  it('shows Live while the socket is open and a retry notice after it drops', () => {
    const sockets: FakeSocket[] = []
    const client = new RealtimeClient({
      url: 'ws://t/ws',
      createSocket: () => { const s = new FakeSocket(); sockets.push(s); return s },
      setTimer: () => 0,
      clearTimer: () => {},
    })
    render(<RealtimeProvider client={client}><ConnectionIndicator /></RealtimeProvider>)
    expect(screen.getByRole('status')).toHaveTextContent('Connecting')
    act(() => sockets[0].open())
    expect(screen.getByRole('status')).toHaveTextContent('Live')
    act(() => { sockets[0].readyState = 3; sockets[0].onclose?.({}) })
    expect(screen.getByRole('status')).toHaveTextContent('Offline, retrying')
  })
})
