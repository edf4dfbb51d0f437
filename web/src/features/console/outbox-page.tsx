import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useSearchParams } from 'react-router'
import { Segmented } from '../../components/segmented'
import { Alert, Empty, ErrorState, Loading } from '../../components/states'
import { formatCount } from '../../lib/format'
import { errorMessage } from '../../lib/handle-server-error'
import { usePageTitle } from '../../lib/page-title'
import { fetchOutbox, requeueEmail, type OutboxEntry, type OutboxState } from './api'
import { formatMillis } from './transforms'

const STATES: { value: OutboxState; label: string }[] = [
  { value: 'QUEUED', label: 'Queued' },
  { value: 'SENT', label: 'Sent' },
  { value: 'FAILED', label: 'Failed' },
]

function Requeue({ entry, onDone }: { entry: OutboxEntry; onDone: (msg: string, ok: boolean) => void }) {
  const qc = useQueryClient()
  const m = useMutation({
    mutationFn: () => requeueEmail(entry.id),
    onSuccess: () => { onDone(`The email to ${entry.to} is queued again.`, true); void qc.invalidateQueries({ queryKey: ['console', 'outbox'] }) },
    onError: (e) => onDone(`Could not requeue the email to ${entry.to}: ${errorMessage(e)}`, false),
  })
  return (
    <button type="button" className="btn btn--secondary btn--sm" disabled={m.isPending} onClick={() => m.mutate()} aria-label={`Send again: ${entry.subject} to ${entry.to}`}>
      {m.isPending ? '…' : 'Send again'}
    </button>
  )
}

export function OutboxPage() {
  usePageTitle('Email outbox · Console')
  const [params, setParams] = useSearchParams()
  const state = (STATES.find((s) => s.value === params.get('state'))?.value ?? 'QUEUED') as OutboxState
  const [notice, setNotice] = useState<{ msg: string; ok: boolean } | null>(null)
  const q = useQuery({ queryKey: ['console', 'outbox', state], queryFn: ({ signal }) => fetchOutbox(state, signal), refetchInterval: 3000 })
  const counts = q.data?.counts
  const limit = q.data?.countLimit
  const shownCount = (n: number) => (limit !== undefined && n >= limit ? `${formatCount(limit)}+` : formatCount(n))
  return (
    <section aria-labelledby="outbox-h">
      <h1 id="outbox-h">Email outbox</h1>
      <p className="muted">Every email is written to the outbox with its order&apos;s event and delivered over SMTP with retries; a failed one can be sent again.</p>
      <Segmented
        label="Emails to show"
        value={state}
        onChange={(v) => setParams({ state: v })}
        options={STATES.map((s) => ({ value: s.value, label: <>{s.label}{counts ? <span className="chip__count"> {shownCount(counts[s.value])}</span> : null}</> }))}
      />
      {notice ? <Alert tone={notice.ok ? 'success' : 'error'}>{notice.msg}</Alert> : null}
      {q.isLoading ? <Loading label="Loading emails…" /> : q.error && !q.data ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} title="Could not load the outbox" />
      ) : !q.data!.items.length ? <Empty title={`No ${STATES.find((s) => s.value === state)!.label.toLowerCase()} emails`} /> : (
        <div className="table-wrap card" tabIndex={0} role="region" aria-label="Emails">
          <table className="table">
            <caption className="sr-only">{state} emails</caption>
            <thead><tr>
              <th scope="col">To</th><th scope="col">Subject</th><th scope="col" className="num">Attempts</th>
              <th scope="col">{state === 'SENT' ? 'Sent' : state === 'FAILED' ? 'Failed' : 'Next attempt'}</th>
              {state !== 'SENT' ? <th scope="col">Last error</th> : null}
              {state === 'FAILED' ? <th scope="col"><span className="sr-only">Actions</span></th> : null}
            </tr></thead>
            <tbody>
              {q.data!.items.map((e) => (
                <tr key={e.id}>
                  <td>{e.to}</td>
                  <td>{e.subject}<br /><span className="muted mono small">{e.id}</span></td>
                  <td className="num">{e.attempts}</td>
                  <td className="small">{formatMillis(state === 'SENT' ? e.sentAt : state === 'FAILED' ? e.updatedAt : e.nextAttemptAt)}</td>
                  {state !== 'SENT' ? <td className="small">{e.lastError || '—'}</td> : null}
                  {state === 'FAILED' ? <td><Requeue entry={e} onDone={(msg, ok) => setNotice({ msg, ok })} /></td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
