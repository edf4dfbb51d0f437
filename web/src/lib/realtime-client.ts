// One WebSocket per tab to /ws (docs/api.md): topic subscriptions shared by
// every component, automatic reconnect with capped exponential backoff and
// jitter, and resubscription of every live topic after each reconnect.
//
// Everything that touches the outside world (the WebSocket constructor, the
// timers, randomness) is injected so that tests drive it deterministically.

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed'

export interface SocketLike {
  readyState: number
  onopen: ((ev: unknown) => void) | null
  onclose: ((ev: unknown) => void) | null
  onerror: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}

export type SocketFactory = (url: string) => SocketLike

export interface RealtimeOptions {
  url: string
  createSocket?: SocketFactory
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (id: unknown) => void
  random?: () => number
  /** First retry delay; doubles each failed attempt up to maxDelayMs. */
  baseDelayMs?: number
  maxDelayMs?: number
  /** Keep-alive ping interval while open. */
  pingIntervalMs?: number
}

type Handler = (data: unknown) => void
const OPEN = 1

export class RealtimeClient {
  private readonly opts: Required<RealtimeOptions>
  private socket: SocketLike | null = null
  private readonly handlers = new Map<string, Set<Handler>>()
  private readonly stateListeners = new Set<(s: ConnectionState) => void>()
  private state_: ConnectionState = 'closed'
  private attempt = 0
  private retryTimer: unknown = null
  private pingTimer: unknown = null
  private stopped = true

  constructor(opts: RealtimeOptions) {
    this.opts = {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
      random: Math.random,
      baseDelayMs: 500,
      maxDelayMs: 15_000,
      pingIntervalMs: 25_000,
      ...opts,
    }
  }

  get state(): ConnectionState {
    return this.state_
  }

  /** Topics with at least one handler. */
  get topics(): string[] {
    return [...this.handlers.keys()]
  }

  /** Opens the socket (idempotent). */
  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.connect()
  }

  /** Closes the socket and stops reconnecting; subscriptions are kept for a later start(). */
  stop(): void {
    this.stopped = true
    this.clearTimers()
    const s = this.socket
    this.socket = null
    if (s) {
      s.onclose = s.onerror = s.onmessage = s.onopen = null
      s.close(1000, 'client stop')
    }
    this.setState('closed')
  }

  /**
   * Calls `handler` with the `data` of every message on `topic` until the
   * returned function is called. The server subscription is made on the first
   * handler of a topic and dropped with its last.
   */
  subscribe(topic: string, handler: Handler): () => void {
    let set = this.handlers.get(topic)
    if (!set) {
      set = new Set()
      this.handlers.set(topic, set)
      this.send({ op: 'subscribe', topic })
    }
    set.add(handler)
    return () => {
      const cur = this.handlers.get(topic)
      if (!cur || !cur.delete(handler)) return
      if (cur.size === 0) {
        this.handlers.delete(topic)
        this.send({ op: 'unsubscribe', topic })
      }
    }
  }

  onStateChange(listener: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(listener)
    return () => this.stateListeners.delete(listener)
  }

  /** Forces a reconnect now (e.g. after sign-in, so the server sees the new session cookie). */
  reconnect(): void {
    if (this.stopped) return
    this.clearTimers()
    const s = this.socket
    this.socket = null
    if (s) {
      s.onclose = s.onerror = s.onmessage = s.onopen = null
      s.close(1000, 'reconnect')
    }
    this.attempt = 0
    this.connect()
  }

  /** The delay before retry number `attempt` (0-based): full jitter over a capped exponential. */
  backoffDelay(attempt: number): number {
    const cap = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** attempt)
    return Math.round(cap / 2 + (this.opts.random() * cap) / 2)
  }

  private connect(): void {
    this.setState(this.attempt === 0 && this.state_ !== 'reconnecting' ? 'connecting' : 'reconnecting')
    let s: SocketLike
    try {
      s = this.opts.createSocket(this.opts.url)
    } catch {
      this.scheduleRetry()
      return
    }
    this.socket = s
    s.onopen = () => {
      this.attempt = 0
      this.setState('open')
      for (const topic of this.handlers.keys()) this.send({ op: 'subscribe', topic })
      this.schedulePing()
    }
    s.onmessage = (ev) => this.dispatch(ev.data)
    s.onerror = () => {
      // onclose follows and does the retry.
    }
    s.onclose = () => {
      if (this.socket !== s) return
      this.socket = null
      this.clearTimers()
      if (!this.stopped) this.scheduleRetry()
    }
  }

  private scheduleRetry(): void {
    this.setState('reconnecting')
    const delay = this.backoffDelay(this.attempt)
    this.attempt++
    this.retryTimer = this.opts.setTimer(() => {
      this.retryTimer = null
      if (!this.stopped) this.connect()
    }, delay)
  }

  private schedulePing(): void {
    this.pingTimer = this.opts.setTimer(() => {
      this.send({ op: 'ping' })
      this.schedulePing()
    }, this.opts.pingIntervalMs)
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) this.opts.clearTimer(this.retryTimer)
    if (this.pingTimer !== null) this.opts.clearTimer(this.pingTimer)
    this.retryTimer = this.pingTimer = null
  }

  private send(msg: object): void {
    if (this.socket && this.socket.readyState === OPEN) this.socket.send(JSON.stringify(msg))
  }

  /** A frame is one message or, from `/ws?batch=1`, an array of them. */
  private dispatch(raw: unknown): void {
    if (typeof raw !== 'string') return
    let parsed: unknown
    try {
      parsed = JSON.parse(raw)
    } catch {
      return
    }
    for (const msg of Array.isArray(parsed) ? parsed : [parsed]) this.deliver(msg)
  }

  private deliver(msg: { op?: unknown; topic?: unknown; data?: unknown } | null): void {
    // Replies (subscribed, unsubscribed, pong, error) carry an op, some a topic too.
    if (typeof msg?.topic !== 'string' || msg.op !== undefined) return
    const set = this.handlers.get(msg.topic)
    if (!set) return
    for (const h of [...set]) {
      try {
        h(msg.data)
      } catch (e) {
        console.error('realtime handler failed', e)
      }
    }
  }

  private setState(s: ConnectionState): void {
    if (s === this.state_) return
    this.state_ = s
    for (const l of [...this.stateListeners]) l(s)
  }
}

/**
 * ws(s)://<this origin>/ws?batch=1: updates that arrive together come in one
 * frame (docs/api.md), so a tab following a busy shop keeps up.
 */
export function sameOriginWsUrl(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws?batch=1`
}
