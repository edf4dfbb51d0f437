import { useConnectionState } from '../lib/realtime'

const labels = {
  open: 'Live',
  connecting: 'Connecting',
  reconnecting: 'Offline, retrying',
  closed: 'Offline',
} as const

/** Shows whether live updates arrive; pages poll while it is not "Live". */
export function ConnectionIndicator() {
  const s = useConnectionState()
  const title = s === 'open' ? 'Live updates are on' : 'Live updates are paused; pages refresh every few seconds'
  return (
    <span className={`conn conn--${s}`} role="status" aria-live="polite" title={title}>
      <span className="conn__dot" aria-hidden="true" />
      <span className="conn__label">{labels[s]}</span>
    </span>
  )
}
