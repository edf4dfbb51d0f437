import { useMutation, useQuery } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { Empty, ErrorState, Loading } from '../../components/states'
import { ApiError } from '../../lib/api'
import { errorMessage } from '../../lib/handle-server-error'
import { usePageTitle } from '../../lib/page-title'
import { fetchIam, iamMissing, simulate, type IamPolicy, type IamRole, type IamUser, type Simulation } from './api'
import { formatMillis } from './transforms'

/** Attached managed policies, then inline ones marked as such. */
function policyNames(p: { attachedPolicies: string[]; inlinePolicies?: string[] }) {
  const names = [...p.attachedPolicies, ...(p.inlinePolicies ?? []).map((n) => `${n} (inline)`)]
  return names.join(', ') || 'no policies'
}

const DECISION: Record<Simulation['decision'], { label: string; tone: string }> = {
  allowed: { label: 'Allowed', tone: 'ok' },
  explicitDeny: { label: 'Denied by an explicit Deny', tone: 'bad' },
  implicitDeny: { label: 'Denied: no policy allows it', tone: 'bad' },
}

function Simulator() {
  const [form, setForm] = useState({ principal: '', action: '', resource: '' })
  const m = useMutation({ mutationFn: () => simulate(form) })
  const submit = (e: FormEvent) => { e.preventDefault(); m.mutate() }
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }))
  const field = m.error instanceof ApiError ? m.error.field : undefined
  return (
    <section className="card" aria-labelledby="sim-h">
      <h2 id="sim-h">Why was this allowed or denied?</h2>
      <form className="sim" onSubmit={submit}>
        <div className={`field ${field === 'principal' ? 'field--invalid' : ''}`}>
          <label htmlFor="sim-p">User or role</label>
          <input id="sim-p" required value={form.principal} onChange={set('principal')} placeholder="loadgen or arn:aws:iam::000000000000:role/reader" />
        </div>
        <div className={`field ${field === 'action' ? 'field--invalid' : ''}`}>
          <label htmlFor="sim-a">Action</label>
          <input id="sim-a" required className="mono" value={form.action} onChange={set('action')} placeholder="kinesis:PutRecord" />
        </div>
        <div className={`field ${field === 'resource' ? 'field--invalid' : ''}`}>
          <label htmlFor="sim-r">Resource</label>
          <input id="sim-r" required className="mono" value={form.resource} onChange={set('resource')} placeholder="arn:aws:kinesis:us-east-1:000000000000:stream/orders" />
        </div>
        <button type="submit" className="btn btn--primary" disabled={m.isPending}>{m.isPending ? 'Evaluating…' : 'Evaluate'}</button>
      </form>
      {m.error ? <p className="alert alert--error" role="alert">{errorMessage(m.error)}</p> : null}
      {m.data ? (
        <div className={`verdict verdict--${DECISION[m.data.decision].tone}`} role="status">
          <p className="verdict__title">{DECISION[m.data.decision].label}</p>
          <p>{m.data.reason}</p>
          {m.data.matched.length ? (
            <ul>
              {m.data.matched.map((s, i) => (
                <li key={i}><strong>{s.effect}</strong> in <span className="mono">{s.policy}</span>{s.sid ? <> (statement <span className="mono">{s.sid}</span>)</> : null}
                  <pre className="mono small">{JSON.stringify(s.statement, null, 2)}</pre></li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  )
}

export function IamPage() {
  usePageTitle('IAM · Console')
  const users = useQuery({ queryKey: ['console', 'iam', 'users'], queryFn: ({ signal }) => fetchIam<IamUser>('users', signal), retry: false })
  const roles = useQuery({ queryKey: ['console', 'iam', 'roles'], queryFn: ({ signal }) => fetchIam<IamRole>('roles', signal), retry: false, enabled: !iamMissing(users.error) })
  const policies = useQuery({ queryKey: ['console', 'iam', 'policies'], queryFn: ({ signal }) => fetchIam<IamPolicy>('policies', signal), retry: false, enabled: !iamMissing(users.error) })

  if (users.isLoading) return <Loading label="Loading IAM…" />
  if (iamMissing(users.error)) {
    return (
      <section aria-labelledby="iam-h">
        <h1 id="iam-h">IAM</h1>
        <div className="state state--empty card" role="status">
          <p className="state__title">IAM not available</p>
          <p>This server does not serve the IAM console API yet, so there are no users, roles or policies to show here and
            nothing to simulate. They appear on this page once it does (docs/api.md, &ldquo;Operations console&rdquo;).</p>
        </div>
      </section>
    )
  }
  return (
    <section aria-labelledby="iam-h">
      <h1 id="iam-h">IAM</h1>
      {users.error ? <ErrorState error={users.error} onRetry={() => users.refetch()} title="Could not load the users" /> : null}
      <div className="iam-grid">
        <section className="card" aria-labelledby="iam-users">
          <h2 id="iam-users">Users</h2>
          {!users.data?.items.length ? <Empty title="No users" /> : (
            <ul className="plain">{users.data.items.map((u) => <li key={u.arn}><span className="mono">{u.name}</span> <span className="muted small">{policyNames(u)} · since {formatMillis(u.createdAt)}</span></li>)}</ul>
          )}
        </section>
        <section className="card" aria-labelledby="iam-roles">
          <h2 id="iam-roles">Roles</h2>
          {roles.isLoading ? <Loading /> : roles.error ? <p className="alert alert--error" role="alert">{errorMessage(roles.error)}</p> : !roles.data?.items.length ? <Empty title="No roles" /> : (
            <ul className="plain">{roles.data.items.map((r) => <li key={r.arn}><span className="mono">{r.name}</span> <span className="muted small">{policyNames(r)}</span></li>)}</ul>
          )}
        </section>
        <section className="card iam-grid__wide" aria-labelledby="iam-policies">
          <h2 id="iam-policies">Policies</h2>
          {policies.isLoading ? <Loading /> : policies.error ? <p className="alert alert--error" role="alert">{errorMessage(policies.error)}</p> : !policies.data?.items.length ? <Empty title="No policies" /> : (
            policies.data.items.map((p) => (
              <details key={p.arn} className="policy">
                <summary><span className="mono">{p.name}</span> <span className="muted small">{p.inline ? 'inline' : `attached ${p.attachments}×`}</span></summary>
                <pre className="mono small">{JSON.stringify(p.document, null, 2)}</pre>
              </details>
            ))
          )}
        </section>
      </div>
      <Simulator />
    </section>
  )
}
