import { act, render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { FakeSocket } from '../test/render'
import { RealtimeProvider, usePollWhileOffline, useTopic } from './realtime'
import { RealtimeClient } from './realtime-client'

function Probe({ topic }: { topic: string | null }) {
  const poll = usePollWhileOffline(3000)
  useTopic<unknown>(topic, () => {})
  return <p data-testid="poll">{poll === false ? 'off' : String(poll)}</p>
}

function setup(topic: string | null = null) {
  const sockets: FakeSocket[] = []
  const client = new RealtimeClient({
    url: 'ws://t/ws',
    createSocket: () => { const s = new FakeSocket(); sockets.push(s); return s },
    setTimer: () => 0,
    clearTimer: () => {},
  })
  const r = render(<RealtimeProvider client={client}><Probe topic={topic} /></RealtimeProvider>)
  return { sockets, client, ...r }
}

describe('polling fallback', () => {
  it('polls until the socket opens, stops while it is open, and polls again after a drop', () => {
    const { sockets } = setup()
    expect(screen.getByTestId('poll')).toHaveTextContent('3000')
    act(() => sockets[0].open())
    expect(screen.getByTestId('poll')).toHaveTextContent('off')
    act(() => { sockets[0].readyState = 3; sockets[0].onclose?.({}) })
    expect(screen.getByTestId('poll')).toHaveTextContent('3000')
  })
})

describe('useTopic', () => {
  it('subscribes while mounted and unsubscribes on unmount', () => {
    const { sockets, client, unmount } = setup('orders/c-9')
    act(() => sockets[0].open())
    expect(sockets[0].sent).toContainEqual({ op: 'subscribe', topic: 'orders/c-9' })
    unmount()
    expect(sockets[0].sent).toContainEqual({ op: 'unsubscribe', topic: 'orders/c-9' })
    expect(client.topics).toEqual([])
  })
})
