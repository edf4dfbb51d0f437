import { useInfiniteQuery } from '@tanstack/react-query'
import { Link, useSearchParams } from 'react-router'
import { Empty, ErrorState, Loading } from '../../components/states'
import { formatDateTime, orderNumber } from '../../lib/format'
import { formatMoney } from '../../lib/money'
import { usePollWhileOffline } from '../../lib/realtime'
import { ORDER_STATUSES } from '../../lib/types'
import { useMe } from '../auth/use-auth'
import { fetchMyOrders, myOrdersKey } from './api'
import { CancelButton } from './order-page'
import { StatusBadge } from './status-badge'
import { statusLabel } from './status-label'
import { StatusTimeline } from './status-timeline'
import { keepNewerInPages } from './live'
import { useLiveOrders } from './use-live-orders'
import { usePageTitle } from '../../lib/page-title'

export function MyOrdersPage() {
  const { user } = useMe()
  usePageTitle('My orders')
  const [params, setParams] = useSearchParams()
  const status = params.get('status') ?? ''
  useLiveOrders(user ? `orders/${user.id}` : null)
  const poll = usePollWhileOffline()
  const orders = useInfiniteQuery({
    queryKey: myOrdersKey(status),
    queryFn: ({ pageParam, signal }) => fetchMyOrders(status, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: poll,
    structuralSharing: keepNewerInPages,
  })
  const items = orders.data?.pages.flatMap((p) => p.items) ?? []

  return (
    <div className="my-orders">
      <div className="page-head">
        <h1>My orders</h1>
        <div className="filter">
          <label htmlFor="status-filter">Status</label>
          <select id="status-filter" value={status} onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {})}>
            <option value="">All</option>
            {ORDER_STATUSES.map((s) => <option key={s} value={s}>{statusLabel[s]}</option>)}
          </select>
        </div>
      </div>
      {orders.isLoading ? (
        <Loading label="Loading your orders…" />
      ) : orders.error ? (
        <ErrorState error={orders.error} onRetry={() => orders.refetch()} title="Could not load your orders" />
      ) : !items.length ? (
        <Empty title={status ? `No ${statusLabel[status as keyof typeof statusLabel]?.toLowerCase() ?? ''} orders` : 'You have not ordered anything yet'}>
          <Link to="/" className="btn btn--primary">Browse the shop</Link>
        </Empty>
      ) : (
        <>
          <ul className="order-list">
            {items.map((o) => (
              <li key={o.id} className="card order-card">
                <div className="order-card__head">
                  <div>
                    <Link to={`/orders/${encodeURIComponent(o.id)}`} className="order-card__id">Order {orderNumber(o.id)}</Link>
                    <p className="muted">{formatDateTime(o.createdAt)} · {o.items.reduce((n, i) => n + i.quantity, 0)} items · <span className="mono small nowrap">{o.id}</span></p>
                  </div>
                  <div className="order-card__right">
                    <StatusBadge status={o.status} />
                    <span className="price">{formatMoney(o.total, o.currency)}</span>
                  </div>
                </div>
                <StatusTimeline order={o} />
                <CancelButton order={o} />
              </li>
            ))}
          </ul>
          {orders.hasNextPage ? (
            <div className="pager">
              <button type="button" className="btn btn--secondary" onClick={() => orders.fetchNextPage()} disabled={orders.isFetchingNextPage}>
                {orders.isFetchingNextPage ? 'Loading…' : 'Show older orders'}
              </button>
            </div>
          ) : null}
        </>
      )}
    </div>
  )
}
