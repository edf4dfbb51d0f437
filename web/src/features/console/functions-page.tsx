import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { Empty, ErrorState, Loading } from '../../components/states'
import { formatCount } from '../../lib/format'
import { errorMessage } from '../../lib/handle-server-error'
import { usePageTitle } from '../../lib/page-title'
import { fetchFunctions, fetchRecords, type Mapping } from './api'
import { formatAge, formatClock, prettyData } from './transforms'
import { useRates } from './use-rates'

const sum = (m: Mapping, k: 'invocations' | 'errors' | 'recordsProcessed' | 'recordsToFailureDestination') =>
  m.shards.reduce((n, s) => n + s[k], 0)

/** The newest records at a mapping's failure destination (a stream), last 24 h. */
function FailureRecords({ stream }: { stream: string }) {
  const q = useQuery({
    queryKey: ['console', 'failures', stream],
    queryFn: ({ signal }) => fetchRecords(stream, { since: 86_400, limit: 20 }, signal),
    refetchInterval: 5000,
  })
  if (q.isLoading) return <p className="muted">Loading failure records…</p>
  if (q.error) return <p className="alert alert--error" role="alert">Could not read {stream}: {errorMessage(q.error)}</p>
  const recs = q.data?.records ?? []
  if (!recs.length) return <p className="muted">No records at <span className="mono">{stream}</span> in the last 24 hours.</p>
  return (
    <ol className="tail__list" aria-label={`Records at the failure destination ${stream}`}>
      {recs.map((r) => (
        <li key={`${r.shardId}/${r.sequenceNumber}`} className="tail__rec">
          <span className="tail__time mono">{formatClock(r.arrivedAt)}</span>
          <span className="tail__key mono">{r.partitionKey}</span>
          <code className="tail__data">{prettyData(r.data, r.encoding)}</code>
        </li>
      ))}
    </ol>
  )
}

export function FunctionsPage() {
  usePageTitle('Functions · Console')
  const q = useQuery({ queryKey: ['console', 'functions'], queryFn: ({ signal }) => fetchFunctions(signal), refetchInterval: 2000 })
  const at = q.dataUpdatedAt || undefined
  const counters: Record<string, number> = {}
  for (const m of q.data?.mappings ?? []) counters[m.id] = sum(m, 'recordsProcessed')
  const rates = useRates(at, counters)
  const mappings = q.data?.mappings ?? []
  return (
    <section aria-labelledby="fn-h">
      <h1 id="fn-h">Functions</h1>
      <p className="muted">
        Registered functions: {q.data ? q.data.functions.map((f, i) => <span key={f}>{i ? ', ' : ''}<span className="mono">{f}</span></span>) : '…'}.
        Each event-source mapping reads a stream shard by shard; its lag is the iterator age of its slowest shard.
      </p>
      {q.isLoading ? <Loading label="Loading mappings…" /> : q.error && !q.data ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} title="Could not load the functions" />
      ) : !mappings.length ? <Empty title="No event-source mappings" /> : (
        <>
          <div className="table-wrap card" tabIndex={0} role="region" aria-label="Mappings">
            <table className="table">
              <caption className="sr-only">Event-source mappings</caption>
              <thead><tr>
                <th scope="col">Function</th><th scope="col">Stream</th><th scope="col">State</th>
                <th scope="col" className="num">Lag</th><th scope="col" className="num">Records / s</th>
                <th scope="col" className="num">Invocations</th><th scope="col" className="num">Errors</th>
                <th scope="col" className="num">To failure destination</th><th scope="col">Batch</th>
              </tr></thead>
              <tbody>
                {mappings.map((m) => {
                  const lag = Math.max(0, ...m.shards.map((s) => s.millisBehindLatest))
                  const errors = sum(m, 'errors')
                  const r = rates[m.id]
                  return (
                    <tr key={m.id}>
                      <th scope="row" className="consumer">{m.function}<br /><span className="muted mono small">{m.id}</span></th>
                      <td><Link className="mono" to={`/admin/console/streams/${encodeURIComponent(m.stream)}`}>{m.stream}</Link></td>
                      <td>
                        <span className={`badge ${m.state === 'Enabled' ? 'badge--ok' : ''}`}>{m.state}</span>
                        {m.lastProcessingResult?.startsWith('PROBLEM') && <p className="bad small">{m.lastProcessingResult}</p>}
                      </td>
                      <td className={`num ${lag > 60_000 ? 'warn' : ''}`}>{formatAge(lag)}</td>
                      <td className="num">{r == null ? '—' : r.toFixed(r < 10 ? 1 : 0)}</td>
                      <td className="num">{formatCount(sum(m, 'invocations'))}</td>
                      <td className={`num ${errors ? 'bad' : ''}`}>{formatCount(errors)}</td>
                      <td className="num">{formatCount(sum(m, 'recordsToFailureDestination'))}</td>
                      <td className="small nowrap">{m.batchSize} records{m.maximumBatchingWindowMs ? `, ${m.maximumBatchingWindowMs} ms window` : ''}{m.tumblingWindowSeconds ? `, ${m.tumblingWindowSeconds} s tumbling` : ''}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
          <h2>Failure destinations</h2>
          {mappings.filter((m) => m.onFailureStream).length ? mappings.filter((m) => m.onFailureStream).map((m) => (
            <section key={m.id} className="card failure" aria-label={`Failure destination of ${m.function}`}>
              <h3><span className="mono">{m.function}</span> → <Link className="mono" to={`/admin/console/streams/${encodeURIComponent(m.onFailureStream)}`}>{m.onFailureStream}</Link></h3>
              <FailureRecords stream={m.onFailureStream} />
            </section>
          )) : <p className="muted">No mapping has an on-failure destination.</p>}
        </>
      )}
    </section>
  )
}
