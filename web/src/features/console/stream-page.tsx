import { useQuery } from '@tanstack/react-query'
import { Link, useParams } from 'react-router'
import { ErrorState, Loading } from '../../components/states'
import { formatCount } from '../../lib/format'
import { usePageTitle } from '../../lib/page-title'
import { fetchStream } from './api'
import { LiveTail } from './live-tail'
import { formatAge, hashRangeShare, shortHashKey } from './transforms'
import { useRates } from './use-rates'

const perSecond = (v: number | null | undefined) => (v == null ? '—' : v < 10 ? v.toFixed(1) : formatCount(v))

export function StreamPage() {
  const name = useParams().name ?? ''
  usePageTitle(`${name} · Streams · Console`)
  const q = useQuery({ queryKey: ['console', 'stream', name], queryFn: ({ signal }) => fetchStream(name, signal), refetchInterval: 1000 })
  const s = q.data
  const counters: Record<string, number> = {}
  for (const c of s?.consumers ?? []) {
    counters[c.mappingId] = c.recordsProcessed
    for (const sh of c.shards) counters[`${c.mappingId}/${sh.shardId}`] = sh.recordsProcessed
  }
  const rates = useRates(s?.at, counters)
  const openShards = s?.shards.filter((sh) => sh.open) ?? []
  const inTotal = openShards.reduce((n, sh) => n + sh.recordsInPerSecond, 0)

  return (
    <section aria-labelledby="stream-h">
      <nav aria-label="Breadcrumb" className="crumbs"><Link to="/admin/console/streams">Streams</Link> <span aria-hidden="true">/</span> <span aria-current="page">{name}</span></nav>
      <h1 id="stream-h"><span className="mono">{name}</span></h1>
      {q.isLoading ? <Loading label="Loading the stream…" /> : q.error && !s ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} title="Could not load the stream" />
      ) : s ? (
        <>
          <dl className="facts">
            <div><dt>Status</dt><dd>{s.status}</dd></div>
            <div><dt>Open shards</dt><dd>{s.openShards}</dd></div>
            <div><dt>Records in</dt><dd>{formatCount(inTotal)} / s</dd></div>
            <div><dt>Retention</dt><dd>{s.retentionHours} h</dd></div>
            <div className="facts__wide"><dt>ARN</dt><dd className="mono">{s.arn}</dd></div>
          </dl>

          <h2>Shards</h2>
          <div className="table-wrap card" tabIndex={0} role="region" aria-label="Shards">
            <table className="table">
              <caption className="sr-only">Shards of {name} with their hash-key ranges</caption>
              <thead><tr>
                <th scope="col">Shard</th><th scope="col">Hash-key range</th><th scope="col" className="num">Records in / s</th>
                <th scope="col">State</th><th scope="col">Parent</th>
              </tr></thead>
              <tbody>
                {s.shards.map((sh) => {
                  const r = hashRangeShare(sh.startingHashKey, sh.endingHashKey)
                  return (
                    <tr key={sh.shardId}>
                      <td className="mono">{sh.shardId}</td>
                      <td>
                        <div className="range" title={`${sh.startingHashKey} – ${sh.endingHashKey}`}>
                          <span className="range__track" aria-hidden="true"><span className="range__fill" style={{ left: `${r.start * 100}%`, width: `${r.width * 100}%` }} /></span>
                          <span className="mono range__text">{shortHashKey(sh.startingHashKey)} – {shortHashKey(sh.endingHashKey)}<span className="sr-only"> ({(r.width * 100).toFixed(1)} % of the key space)</span></span>
                        </div>
                      </td>
                      <td className="num">{sh.open ? `${sh.recordsInCapped ? '≥ ' : ''}${formatCount(sh.recordsInPerSecond)}` : '—'}</td>
                      <td>{sh.open ? <span className="badge badge--ok">Open</span> : <span className="badge">Closed</span>}</td>
                      <td className="mono">{[sh.parentShardId, sh.adjacentParentShardId].filter(Boolean).join(', ') || '—'}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>

          <h2>Consumers</h2>
          {!s.consumers.length ? <p className="muted">No function reads this stream.</p> : (
            <div className="table-wrap card" tabIndex={0} role="region" aria-label="Consumers">
              <table className="table">
                <caption className="sr-only">Event-source mappings reading {name}, per shard</caption>
                <thead><tr>
                  <th scope="col">Function</th><th scope="col">Shard</th><th scope="col" className="num">Records out / s</th>
                  <th scope="col" className="num">Iterator age</th><th scope="col" className="num">Processed</th><th scope="col">State</th>
                </tr></thead>
                {s.consumers.map((c) => (
                  <tbody key={c.mappingId}>
                    {c.shards.map((sh, i) => (
                    <tr key={sh.shardId}>
                      {i === 0 ? <th scope="rowgroup" rowSpan={c.shards.length} className="consumer">{c.function}<br /><span className="muted mono small">{c.mappingId}</span></th> : null}
                      <td className="mono">{sh.shardId}</td>
                      <td className="num">{perSecond(rates[`${c.mappingId}/${sh.shardId}`])}</td>
                      <td className={`num ${sh.millisBehindLatest > 60_000 ? 'warn' : ''}`}>{formatAge(sh.millisBehindLatest)}</td>
                      <td className="num">{formatCount(sh.recordsProcessed)}</td>
                      <td>{sh.finished ? 'Finished' : c.state}</td>
                    </tr>
                    ))}
                  </tbody>
                ))}
              </table>
            </div>
          )}
          <LiveTail key={s.name} stream={s.name} />
        </>
      ) : null}
    </section>
  )
}
