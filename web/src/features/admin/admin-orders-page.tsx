import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { Link, useSearchParams } from 'react-router'
import { Alert, Empty, ErrorState, Loading } from '../../components/states'
import { formatDateTime, orderNumber } from '../../lib/format'
import { errorMessage } from '../../lib/handle-server-error'
import { formatMoney } from '../../lib/money'
import { usePollWhileOffline } from '../../lib/realtime'
import { ORDER_STATUSES, type Order } from '../../lib/types'
import { StatusBadge } from '../orders/status-badge'
import { statusLabel } from '../orders/status-label'
import { keepNewerInPages } from '../orders/live'
import { useLiveOrders } from '../orders/use-live-orders'
import { AdminNav } from './admin-nav'
import { adminOrdersKey, fetchAdminOrders, setOrderStatus } from './api'
import { CustomerCard } from './customer-card'
import { actionsFor, type AdminAction } from './order-actions'
import { usePageTitle } from '../../lib/page-title'

function Actions({ order, onError }: { order: Order; onError: (msg: string | null) => void }) {
  const qc = useQueryClient()
  const m = useMutation({
    mutationFn: (to: AdminAction['to']) => setOrderStatus(order.id, to),
    onSuccess: () => {
      onError(null)
      void qc.invalidateQueries({ queryKey: ['admin-orders'] })
    },
    onError: (e) => onError(`Order ${order.id}: ${errorMessage(e)}`),
  })
  const acts = actionsFor(order.status)
  if (!acts.length) return <span className="muted">—</span>
  return (
    <div className="actions">
      {acts.map((a) => (
        <button
          key={a.to}
          type="button"
          className={`btn btn--sm ${a.to === 'CANCELLED' ? 'btn--danger-ghost' : 'btn--secondary'}`}
          disabled={m.isPending}
          onClick={() => {
            if (a.to !== 'CANCELLED' || window.confirm(`Cancel order ${order.id}?`)) m.mutate(a.to)
          }}
          aria-label={`${a.label} order ${order.id}`}
        >
          {m.isPending && m.variables === a.to ? '…' : a.label}
        </button>
      ))}
    </div>
  )
}

const ORDER_NUMBER = /^[0-9a-f]{8}$/i

export function AdminOrdersPage() {
  const [params, setParams] = useSearchParams()
  usePageTitle('Orders (admin)')
  const status = params.get('status') ?? ''
  const customerId = params.get('customerId') ?? ''
  const customerEmail = params.get('customerEmail') ?? ''
  const numberSought = params.get('orderNumber') ?? ''
  const customer = customerId || customerEmail || numberSought
  const [draftCustomer, setDraftCustomer] = useState(customer)
  const [actionError, setActionError] = useState<string | null>(null)
  const filter = {
    status: status || undefined, customerId: customerId || undefined, customerEmail: customerEmail || undefined,
    orderNumber: numberSought || undefined,
  }
  useLiveOrders('admin/orders', ['admin-orders'])
  const poll = usePollWhileOffline(5000)
  const orders = useInfiniteQuery({
    queryKey: adminOrdersKey(filter),
    queryFn: ({ pageParam, signal }) => fetchAdminOrders(filter, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: poll,
    structuralSharing: keepNewerInPages,
  })
  const items = orders.data?.pages.flatMap((p) => p.items) ?? []

  /** `customer`: an email (it has an @), an order's number (8 hex digits,
   *  as its emails give it; the server takes it alone), or a customer id. */
  const apply = (next: { status?: string; customer?: string }) => {
    const p = new URLSearchParams()
    // Picking a status ends a search by number (that search takes no filter).
    const dropNumber = next.customer === undefined && numberSought !== ''
    if (dropNumber) setDraftCustomer('')
    const c = next.customer ?? (dropNumber ? '' : customer)
    if (ORDER_NUMBER.test(c)) {
      p.set('orderNumber', c)
    } else {
      const s = next.status ?? status
      if (s) p.set('status', s)
      if (c) p.set(c.includes('@') ? 'customerEmail' : 'customerId', c)
    }
    setParams(p)
  }
  const onCustomer = (e: FormEvent) => {
    e.preventDefault()
    apply({ customer: draftCustomer.trim() })
  }
  // Filtered by email, the card shows the account the orders belong to.
  const cardId = customerId || (customerEmail ? items[0]?.customerId : undefined)

  return (
    <div className="admin-orders">
      <AdminNav />
      <div className="page-head">
        <h1>Orders</h1>
        <div className="filters">
          <div className="filter">
            <label htmlFor="a-status">Status</label>
            <select id="a-status" value={status} onChange={(e) => apply({ status: e.target.value })}>
              <option value="">All</option>
              {ORDER_STATUSES.map((s) => <option key={s} value={s}>{statusLabel[s]}</option>)}
            </select>
          </div>
          <form className="filter" onSubmit={onCustomer} role="search">
            <label htmlFor="a-customer">Customer or order</label>
            <input id="a-customer" value={draftCustomer} onChange={(e) => setDraftCustomer(e.target.value)} placeholder="email, id or order number" />
            <button type="submit" className="btn btn--secondary btn--sm">Filter</button>
            {customer ? (
              <button type="button" className="btn btn--ghost btn--sm" onClick={() => { setDraftCustomer(''); apply({ customer: '' }) }}>
                Clear
              </button>
            ) : null}
          </form>
        </div>
      </div>
      {cardId ? <CustomerCard id={cardId} /> : null}
      {actionError ? <Alert>{actionError}</Alert> : null}
      {orders.isLoading ? (
        <Loading label="Loading orders…" />
      ) : orders.error ? (
        <ErrorState error={orders.error} onRetry={() => orders.refetch()} title="Could not load the orders" />
      ) : !items.length ? (
        <Empty title="No orders match these filters" />
      ) : (
        <div className="table-wrap card">
          <table className="table">
            <caption className="sr-only">Orders, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Order</th><th scope="col">Customer</th><th scope="col">Placed</th>
                <th scope="col">Items</th><th scope="col" className="num">Total</th><th scope="col">Status</th><th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((o) => (
                <tr key={o.id}>
                  <td>
                    <Link to={`/orders/${encodeURIComponent(o.id)}`}>{orderNumber(o.id)}</Link>
                    <br /><span className="muted mono small nowrap">{o.id}</span>
                  </td>
                  <td>
                    <button
                      type="button"
                      className={`btn btn--link${o.customerName ? '' : ' mono'}`}
                      title={`Orders of ${o.customerId}`}
                      onClick={() => { setDraftCustomer(o.customerId); apply({ customer: o.customerId }) }}
                    >
                      {o.customerName || o.customerId}
                    </button>
                    {o.customerEmail ? <div className="muted cell__sub">{o.customerEmail}</div> : null}
                  </td>
                  <td>{formatDateTime(o.createdAt)}</td>
                  <td>{o.items.reduce((n, i) => n + i.quantity, 0)}</td>
                  <td className="num">{formatMoney(o.total, o.currency)}</td>
                  <td><StatusBadge status={o.status} /></td>
                  <td><Actions order={o} onError={setActionError} /></td>
                </tr>
              ))}
            </tbody>
          </table>
          {orders.hasNextPage ? (
            <div className="pager">
              <button type="button" className="btn btn--secondary" onClick={() => orders.fetchNextPage()} disabled={orders.isFetchingNextPage}>
                {orders.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </div>
          ) : null}
        </div>
      )}
    </div>
  )
}
