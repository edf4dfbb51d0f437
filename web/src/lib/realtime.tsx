// React glue for the one RealtimeClient of this tab.
import { createContext, useContext, useEffect, useRef, useSyncExternalStore, type ReactNode } from 'react'
import { RealtimeClient, sameOriginWsUrl, type ConnectionState } from './realtime-client'

const RealtimeContext = createContext<RealtimeClient | null>(null)

let shared: RealtimeClient | null = null
function sharedClient(): RealtimeClient {
  shared ??= new RealtimeClient({ url: sameOriginWsUrl() })
  return shared
}

export function RealtimeProvider({ client, children }: { client?: RealtimeClient; children: ReactNode }) {
  const c = client ?? sharedClient()
  useEffect(() => {
    c.start()
  }, [c])
  return <RealtimeContext.Provider value={c}>{children}</RealtimeContext.Provider>
}

export function useRealtimeClient(): RealtimeClient {
  const c = useContext(RealtimeContext)
  if (!c) throw new Error('useRealtimeClient outside RealtimeProvider')
  return c
}

export function useConnectionState(): ConnectionState {
  const c = useRealtimeClient()
  return useSyncExternalStore(
    (cb) => c.onStateChange(cb),
    () => c.state,
    () => 'closed',
  )
}

/** Polling interval for TanStack Query: off while the socket is open. */
export function usePollWhileOffline(ms = 3000): number | false {
  return useConnectionState() === 'open' ? false : ms
}

/** Calls `handler` for each message on `topic` (none when topic is null). */
export function useTopic<T>(topic: string | null, handler: (data: T) => void): void {
  const c = useRealtimeClient()
  const ref = useRef(handler)
  useEffect(() => {
    ref.current = handler
  })
  useEffect(() => {
    if (!topic) return
    return c.subscribe(topic, (d) => ref.current(d as T))
  }, [c, topic])
}
