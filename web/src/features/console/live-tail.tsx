import { useEffect, useId, useRef, useState } from 'react'
import { errorMessage } from '../../lib/handle-server-error'
import { fetchRecords, type TailRecord } from './api'
import { appendTail, formatClock, prettyData, shortShard } from './transforms'

const KEEP = 200
const EVERY_MS = 1000

/**
 * A live tail of a stream: polls GET .../records with the cursor of the last
 * answer once a second (the server keeps no state per viewer), keeps the
 * newest 200 records, pauses on demand and while the tab is hidden.
 * Give it `key={stream}` so another stream starts from a clean slate.
 */
export function LiveTail({ stream, since = 10, everyMs = EVERY_MS }: { stream: string; since?: number; everyMs?: number }) {
  const [running, setRunning] = useState(true)
  const [records, setRecords] = useState<TailRecord[]>([])
  const [skipped, setSkipped] = useState(0)
  const [error, setError] = useState<string | null>(null)
  const [filter, setFilter] = useState('')
  const cursor = useRef<string | undefined>(undefined)
  const filterId = useId()

  useEffect(() => {
    if (!running) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const ctrl = new AbortController()
    const tick = async () => {
      if (document.visibilityState !== 'hidden') {
        try {
          const page = await fetchRecords(stream, { cursor: cursor.current, since: cursor.current ? undefined : since, limit: 100 }, ctrl.signal)
          if (stopped) return
          cursor.current = page.cursor
          setRecords((r) => appendTail(r, page.records, KEEP))
          if (page.skipped) setSkipped((n) => n + page.skipped)
          setError(null)
        } catch (e) {
          if (stopped) return
          setError(errorMessage(e))
        }
      }
      if (!stopped) timer = setTimeout(tick, everyMs)
    }
    void tick()
    return () => {
      stopped = true
      ctrl.abort()
      clearTimeout(timer)
    }
  }, [running, stream, since, everyMs])

  const needle = filter.trim().toLowerCase()
  const shown = needle ? records.filter((r) => r.partitionKey.toLowerCase().includes(needle) || r.data.toLowerCase().includes(needle)) : records

  return (
    <section className="card tail" aria-labelledby="tail-h">
      <div className="tail__head">
        <h2 id="tail-h">Live tail</h2>
        <span className={`tail__state ${running ? 'tail__state--on' : ''}`}>{running ? 'Following new records' : 'Paused'}</span>
        <div className="tail__tools">
          <label htmlFor={filterId} className="sr-only">Filter records</label>
          <input id={filterId} type="search" placeholder="Filter by key or data" value={filter} onChange={(e) => setFilter(e.target.value)} />
          <button type="button" className="btn btn--secondary btn--sm" onClick={() => setRunning((r) => !r)}>
            {running ? 'Pause' : 'Resume'}
          </button>
          <button type="button" className="btn btn--ghost btn--sm" onClick={() => { setRecords([]); setSkipped(0) }}>Clear</button>
        </div>
      </div>
      {error ? <p className="alert alert--error" role="alert">{error}</p> : null}
      <p className="muted tail__meta">
        {records.length ? `${records.length} record${records.length === 1 ? '' : 's'} shown (newest last, up to ${KEEP})` : `Waiting for records (showing the last ${since} s first)…`}
        {skipped ? ` · ${skipped.toLocaleString('en-GB')} skipped to keep up` : ''}
      </p>
      {shown.length ? (
        <ol className="tail__list" aria-label={`Records of ${stream}`}>
          {shown.map((r) => (
            <li key={`${r.shardId}/${r.sequenceNumber}`} className="tail__rec">
              <span className="tail__time mono">{formatClock(r.arrivedAt)}</span>
              <span className="tail__shard mono" title={r.shardId}>{shortShard(r.shardId)}</span>
              <span className="tail__key mono" title={`partition key ${r.partitionKey}`}>{r.partitionKey}</span>
              <code className="tail__data">{r.encoding === 'base64' ? <><span className="badge">base64</span>{' '}</> : null}{prettyData(r.data, r.encoding)}{r.truncated ? ' …' : ''}</code>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  )
}
