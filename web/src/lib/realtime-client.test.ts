import { beforeEach, describe, expect, it } from 'vitest'
import { RealtimeClient, sameOriginWsUrl, type ConnectionState, type SocketLike } from './realtime-client'

class FakeSocket implements SocketLike {
  readyState = 0
  onopen: ((ev: unknown) => void) | null = null
  onclose: ((ev: unknown) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  sent: unknown[] = []
  closed = false
  readonly url: string
  constructor(url: string) {
    this.url = url
  }
  send(data: string) {
    this.sent.push(JSON.parse(data))
  }
  close() {
    this.closed = true
    this.readyState = 3
  }
  // test verbs
  open() {
    this.readyState = 1
    this.onopen?.({})
  }
  drop() {
    this.readyState = 3
    this.onclose?.({})
  }
  receive(msg: unknown) {
    this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) })
  }
}

/** Timers run only when the test says so. */
class ManualTimers {
  private next = 1
  pending = new Map<number, { fn: () => void; ms: number }>()
  set = (fn: () => void, ms: number) => {
    const id = this.next++
    this.pending.set(id, { fn, ms })
    return id
  }
  clear = (id: unknown) => {
    this.pending.delete(id as number)
  }
  delays() {
    return [...this.pending.values()].map((t) => t.ms)
  }
  /** Runs the timers that are due now (all pending ones with the smallest delay). */
  fireAll() {
    const due = [...this.pending.entries()]
    this.pending.clear()
    for (const [, t] of due) t.fn()
  }
}

let sockets: FakeSocket[]
let timers: ManualTimers
let states: ConnectionState[]
let client: RealtimeClient

beforeEach(() => {
  sockets = []
  timers = new ManualTimers()
  states = []
  client = new RealtimeClient({
    url: 'ws://shop.test/ws',
    createSocket: (url) => {
      const s = new FakeSocket(url)
      sockets.push(s)
      return s
    },
    setTimer: timers.set,
    clearTimer: timers.clear,
    random: () => 1, // no jitter: the delay is the cap
    baseDelayMs: 100,
    maxDelayMs: 1000,
    pingIntervalMs: 60_000,
  })
  client.onStateChange((s) => states.push(s))
})

const last = () => sockets[sockets.length - 1]

describe('RealtimeClient', () => {
  it('subscribes to topics registered before the socket opened', () => {
    client.subscribe('orders/c-1', () => {})
    client.start()
    expect(states).toEqual(['connecting'])
    last().open()
    expect(states).toEqual(['connecting', 'open'])
    expect(last().sent).toEqual([{ op: 'subscribe', topic: 'orders/c-1' }])
  })

  /** An open client following orders/c-1 (into `a`) and analytics (into `b`). */
  function followTwoTopics() {
    const a: unknown[] = []
    const b: unknown[] = []
    client.start()
    last().open()
    client.subscribe('orders/c-1', (d) => a.push(d))
    client.subscribe('analytics', (d) => b.push(d))
    return { a, b }
  }

  it('delivers topic data to every handler of that topic only', () => {
    const { a, b } = followTwoTopics()
    last().receive({ topic: 'orders/c-1', data: { orderId: 'o-1', status: 'CONFIRMED' } })
    last().receive({ op: 'pong' })
    last().receive('not json')
    expect(a).toEqual([{ orderId: 'o-1', status: 'CONFIRMED' }])
    expect(b).toEqual([])
  })

  it('delivers every message of a batched frame in order', () => {
    const { a, b } = followTwoTopics()
    last().receive([
      { op: 'subscribed', topic: 'orders/c-1' },
      { topic: 'orders/c-1', data: { status: 'PLACED' } },
      { topic: 'analytics', data: 7 },
      null,
      { topic: 'orders/c-1', data: { status: 'CONFIRMED' } },
    ])
    expect(a).toEqual([{ status: 'PLACED' }, { status: 'CONFIRMED' }])
    expect(b).toEqual([7])
  })

  it('sends one subscribe per topic and unsubscribes when the last handler leaves', () => {
    client.start()
    last().open()
    const off1 = client.subscribe('analytics', () => {})
    const off2 = client.subscribe('analytics', () => {})
    off1()
    expect(last().sent).toEqual([{ op: 'subscribe', topic: 'analytics' }])
    off2()
    off2() // twice is harmless
    expect(last().sent).toEqual([
      { op: 'subscribe', topic: 'analytics' },
      { op: 'unsubscribe', topic: 'analytics' },
    ])
    expect(client.topics).toEqual([])
  })

  it('reconnects after a drop and resubscribes every live topic', () => {
    client.subscribe('orders/c-1', () => {})
    const off = client.subscribe('analytics', () => {})
    client.start()
    last().open()
    off()
    last().drop()
    expect(client.state).toBe('reconnecting')
    expect(sockets).toHaveLength(1)
    timers.fireAll()
    expect(sockets).toHaveLength(2)
    last().open()
    expect(client.state).toBe('open')
    expect(last().sent).toEqual([{ op: 'subscribe', topic: 'orders/c-1' }])
  })

  it('backs off exponentially up to the cap while the server stays down', () => {
    client.start()
    const delays: number[] = []
    for (let i = 0; i < 6; i++) {
      last().drop()
      delays.push(...timers.delays())
      timers.fireAll()
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000])
  })

  it('starts the backoff again from the first delay after a successful open', () => {
    client.start()
    last().drop()
    timers.fireAll()
    last().drop()
    timers.fireAll()
    last().open()
    last().drop()
    expect(timers.delays()).toEqual([100])
  })

  it('keeps jittered delays within half and all of the cap', () => {
    const c = new RealtimeClient({ url: 'x', random: () => 0, baseDelayMs: 100, maxDelayMs: 1000 })
    expect(c.backoffDelay(0)).toBe(50)
    expect(c.backoffDelay(10)).toBe(500)
  })

  it('stops reconnecting after stop()', () => {
    client.start()
    last().open()
    client.stop()
    expect(last().closed).toBe(true)
    expect(client.state).toBe('closed')
    expect(timers.pending.size).toBe(0)
    expect(sockets).toHaveLength(1)
  })

  it('keeps working when a handler throws', () => {
    const got: unknown[] = []
    const spy = console.error
    console.error = () => {}
    client.start()
    last().open()
    client.subscribe('t', () => { throw new Error('boom') })
    client.subscribe('t', (d) => got.push(d))
    last().receive({ topic: 't', data: 1 })
    console.error = spy
    expect(got).toEqual([1])
  })

  it('pings while open', () => {
    client.start()
    last().open()
    timers.fireAll()
    expect(last().sent).toContainEqual({ op: 'ping' })
  })

  it('reconnect() replaces an open socket at once and resubscribes', () => {
    client.subscribe('orders/c-2', () => {})
    client.start()
    last().open()
    client.reconnect()
    expect(sockets[0].closed).toBe(true)
    last().open()
    expect(last().sent).toEqual([{ op: 'subscribe', topic: 'orders/c-2' }])
  })
})

describe('sameOriginWsUrl', () => {
  it('asks for batched frames, over wss on https pages', () => {
    expect(sameOriginWsUrl({ protocol: 'https:', host: 'shop.example:8443' })).toBe('wss://shop.example:8443/ws?batch=1')
    expect(sameOriginWsUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/ws?batch=1')
  })
})
