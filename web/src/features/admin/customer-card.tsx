import { useQuery } from '@tanstack/react-query'
import { Alert } from '../../components/states'
import { errorMessage, isNotFound } from '../../lib/handle-server-error'
import { formatMoney } from '../../lib/money'
import { customerKey, fetchCustomer } from './api'

/** Who the customer in the filter is, with their order count and what they spent (confirmed or
 * later) on the latest orders the server sends (100). */
export function CustomerCard({ id }: { id: string }) {
  const q = useQuery({ queryKey: customerKey(id), queryFn: ({ signal }) => fetchCustomer(id, signal) })
  if (q.isLoading) return <p className="muted customer-card">Loading customer…</p>
  if (q.error) return <Alert>{isNotFound(q.error) ? `There is no customer with id ${id}.` : errorMessage(q.error)}</Alert>
  const { customer, orders, orderCount } = q.data!
  const spent = new Map<string, number>()
  for (const o of orders) {
    if (o.status === 'CONFIRMED' || o.status === 'SHIPPED' || o.status === 'DELIVERED')
      spent.set(o.currency, (spent.get(o.currency) ?? 0) + o.total)
  }
  return (
    <section className="card customer-card" aria-label="Customer">
      <div>
        <h2>{customer.name}</h2>
        <p className="muted"><a href={`mailto:${customer.email}`}>{customer.email}</a> · <span className="mono">{customer.id}</span>{customer.role === 'admin' ? ' · admin' : ''}</p>
      </div>
      <dl className="kv customer-card__kv">
        <dt>Orders</dt><dd>{orderCount}</dd>
        <dt>{orderCount > orders.length ? `Spent on the last ${orders.length}` : 'Spent'}</dt><dd>{spent.size ? [...spent].map(([c, v]) => formatMoney(v, c)).join(' + ') : '—'}</dd>
      </dl>
    </section>
  )
}
