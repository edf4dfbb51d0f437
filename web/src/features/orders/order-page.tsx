import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link, useLocation, useParams } from 'react-router'
import { Alert, ErrorState, Loading } from '../../components/states'
import { ApiError } from '../../lib/api'
import { formatDateTime, orderNumber } from '../../lib/format'
import { errorMessage, isNotFound } from '../../lib/handle-server-error'
import { formatMoney } from '../../lib/money'
import { usePollWhileOffline } from '../../lib/realtime'
import type { Order } from '../../lib/types'
import { useMe } from '../auth/use-auth'
import { canCancel, cancelOrder, fetchOrder, orderKey } from './api'
import { StatusBadge } from './status-badge'
import { StatusTimeline } from './status-timeline'
import { keepNewerOrder } from './live'
import { useLiveOrders } from './use-live-orders'
import { usePageTitle } from '../../lib/page-title'

export function OrderItems({ order }: { order: Order }) {
  return (
    <table className="table items-table">
      <caption className="sr-only">Items</caption>
      <thead>
        <tr><th scope="col">Item</th><th scope="col" className="num">Qty</th><th scope="col" className="num">Price</th><th scope="col" className="num">Total</th></tr>
      </thead>
      <tbody>
        {order.items.map((i) => (
          <tr key={i.productId}>
            <td><Link to={`/products/${encodeURIComponent(i.productId)}`}>{i.name}</Link></td>
            <td className="num">{i.quantity}</td>
            <td className="num">{formatMoney(i.unitPrice, order.currency)}</td>
            <td className="num">{formatMoney(i.lineTotal, order.currency)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr><th scope="row" colSpan={3}>Total</th><td className="num"><strong>{formatMoney(order.total, order.currency)}</strong></td></tr>
      </tfoot>
    </table>
  )
}

export function CancelButton({ order }: { order: Order }) {
  const qc = useQueryClient()
  const m = useMutation({
    mutationFn: () => cancelOrder(order.id),
    onSuccess: (o) => {
      if (o && o.id) qc.setQueryData(orderKey(o.id), o)
      void qc.invalidateQueries({ queryKey: ['orders'] })
    },
  })
  if (!canCancel(order)) return null
  return (
    <div className="cancel">
      <button
        type="button"
        className="btn btn--danger-ghost"
        disabled={m.isPending}
        onClick={() => {
          if (window.confirm('Cancel this order?')) m.mutate()
        }}
      >
        {m.isPending ? 'Cancelling…' : 'Cancel order'}
      </button>
      {m.error ? (
        <Alert>{m.error instanceof ApiError && m.error.status === 409 ? 'This order can no longer be cancelled: it has already shipped.' : errorMessage(m.error)}</Alert>
      ) : null}
    </div>
  )
}

/** The confirmation page: follows the order live from PLACED to CONFIRMED (and on). */
export function OrderPage() {
  const { id = '' } = useParams()
  const { user } = useMe()
  usePageTitle(`Order ${orderNumber(id)}`)
  const justPlaced = Boolean((useLocation().state as { placed?: boolean } | null)?.placed)
  const offlinePoll = usePollWhileOffline()
  // Admins may open any order: they follow every order's changes.
  useLiveOrders(user ? (user.role === 'admin' ? 'admin/orders' : `orders/${user.id}`) : null)
  const order = useQuery({
    queryKey: orderKey(id),
    queryFn: ({ signal }) => fetchOrder(id, signal),
    // The order row appears once order-processor has handled the event: wait for it after checkout.
    retry: (n, e) => (isNotFound(e) ? justPlaced && n < 20 : !(e instanceof ApiError && e.status < 500) && n < 2),
    retryDelay: 750,
    structuralSharing: keepNewerOrder,
    // While PLACED, also poll a little: a confirmation pushed before our subscription reached the server would be missed.
    refetchInterval: (q) => (q.state.data?.status === 'PLACED' ? 2000 : offlinePoll),
  })

  if (order.isLoading)
    return justPlaced ? (
      <section className="card confirm">
        <h1>Thank you! Your order was received</h1>
        <p aria-live="polite"><StatusBadge status="PLACED" /> We are checking stock and confirming it now…</p>
      </section>
    ) : <Loading label="Loading order…" />
  if (order.error)
    return isNotFound(order.error) ? (
      <div className="state state--empty">
        <p className="state__title">We could not find that order</p>
        <Link to="/orders" className="btn btn--secondary">Your orders</Link>
      </div>
    ) : <ErrorState error={order.error} onRetry={() => order.refetch()} />

  const o = order.data!
  const headline =
    o.status === 'PLACED' ? 'Thank you! Your order was received'
    : o.status === 'CONFIRMED' ? 'Your order is confirmed'
    : o.status === 'SHIPPED' ? 'Your order is on its way'
    : o.status === 'DELIVERED' ? 'Your order was delivered'
    : o.status === 'REJECTED' ? 'We could not accept your order'
    : 'This order was cancelled'
  const reason = o.history.find((h) => h.status === o.status)?.reason

  return (
    <div className="order">
      <section className="card confirm" aria-labelledby="order-title">
        <p className="muted">
          Order <strong className="order-number">{orderNumber(o.id)}</strong> · {formatDateTime(o.createdAt)} · <span className="mono small nowrap">{o.id}</span>
        </p>
        <h1 id="order-title">{headline}</h1>
        <p aria-live="polite" aria-atomic="true" className="confirm__status">
          Status: <StatusBadge status={o.status} />
          {o.status === 'PLACED' ? <span className="muted"> Confirming…</span> : null}
          {reason ? <span className="muted"> {reason}</span> : null}
        </p>
        <StatusTimeline order={o} />
        <CancelButton order={o} />
      </section>
      <div className="two-col">
        <section className="card" aria-labelledby="items-title">
          <h2 id="items-title">Items</h2>
          <OrderItems order={o} />
        </section>
        <section className="card" aria-labelledby="ship-title">
          <h2 id="ship-title">Shipping to</h2>
          <address className="address">
            {o.shippingAddress.name}<br />
            {o.shippingAddress.line1}<br />
            {o.shippingAddress.line2 ? <>{o.shippingAddress.line2}<br /></> : null}
            {o.shippingAddress.postalCode} {o.shippingAddress.city}<br />
            {o.shippingAddress.country}
          </address>
          <Link to="/orders" className="btn btn--link">All your orders</Link>
        </section>
      </div>
    </div>
  )
}
