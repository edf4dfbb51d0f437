import { AdminNav } from './admin-nav'
import { usePageTitle } from '../../lib/page-title'

const PLANNED: [string, string][] = [
  ['Streams', 'Shards with their hash-key ranges, records in and out per second, iterator age per consumer, and a live tail of a stream’s records.'],
  ['Functions', 'Event-source mappings, lag, errors and the records at each failure destination.'],
  ['Tables', 'Browse and query items, with the table’s indexes and TTL.'],
  ['Objects', 'Browse buckets and the order archive, and download objects.'],
  ['Email outbox', 'Queued, sent and failed confirmation emails, with retries.'],
  ['IAM', 'Users, roles and policies, with a “why was this allowed or denied” simulator.'],
]

export function ConsolePage() {
  usePageTitle('Operations console')
  return (
    <div className="console">
      <AdminNav />
      <h1>Operations console</h1>
      <p className="muted">The console is on its way. It will show the machinery under the shop:</p>
      <ul className="planned">
        {PLANNED.map(([t, d]) => (
          <li key={t} className="card">
            <h2>{t}</h2>
            <p>{d}</p>
            <span className="badge">Coming soon</span>
          </li>
        ))}
      </ul>
    </div>
  )
}
