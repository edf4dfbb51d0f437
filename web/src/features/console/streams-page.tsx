import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { Empty, ErrorState, Loading } from '../../components/states'
import { usePageTitle } from '../../lib/page-title'
import { fetchStreams } from './api'

export function StreamsPage() {
  usePageTitle('Streams · Console')
  const q = useQuery({ queryKey: ['console', 'streams'], queryFn: ({ signal }) => fetchStreams(signal), refetchInterval: 5000 })
  return (
    <section aria-labelledby="streams-h">
      <h1 id="streams-h">Streams</h1>
      <p className="muted">Kinesis-style streams on this server. Open one for its shards, consumers and a live tail of its records.</p>
      {q.isLoading ? <Loading label="Loading streams…" /> : q.error ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} title="Could not load the streams" />
      ) : !q.data?.items.length ? <Empty title="No streams yet" /> : (
        <div className="table-wrap card" tabIndex={0} role="region" aria-label="Streams">
          <table className="table">
            <caption className="sr-only">Streams</caption>
            <thead><tr>
              <th scope="col">Name</th><th scope="col">Status</th><th scope="col" className="num">Open shards</th>
              <th scope="col" className="num">Consumers</th><th scope="col" className="num">Retention</th><th scope="col">Mode</th>
            </tr></thead>
            <tbody>
              {q.data.items.map((s) => (
                <tr key={s.name}>
                  <td><Link to={`/admin/console/streams/${encodeURIComponent(s.name)}`} className="mono">{s.name}</Link></td>
                  <td><span className="badge">{s.status}</span></td>
                  <td className="num">{s.openShards}{s.shards > s.openShards ? <span className="muted"> (+{s.shards - s.openShards} closed)</span> : null}</td>
                  <td className="num">{s.consumers}</td>
                  <td className="num">{s.retentionHours} h</td>
                  <td>{s.mode === 'ON_DEMAND' ? 'On demand' : 'Provisioned'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
