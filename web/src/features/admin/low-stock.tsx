import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { ErrorState } from '../../components/states'
import { fetchLowStock, lowStockKey } from './api'

const LOW_STOCK = 10
const SHOWN = 10

/** Dashboard panel: what is about to sell out (the server picks it: one scan of
 * the catalog), each linking to its page, where admins restock. */
export function LowStockPanel() {
  const q = useQuery({
    queryKey: lowStockKey,
    queryFn: ({ signal }) => fetchLowStock(LOW_STOCK, SHOWN, signal),
    refetchInterval: 10_000,
  })
  if (q.error) return <ErrorState error={q.error} onRetry={() => q.refetch()} title="Could not load the stock" />
  const low = q.data?.items ?? []
  const more = (q.data?.total ?? 0) - low.length
  return (
    <figure className="bars">
      <figcaption className="chart__title">
        Low stock<span className="chart__note">Products with {LOW_STOCK} or fewer left; open one to restock it.</span>
      </figcaption>
      {q.isLoading ? <p className="muted bars__empty">Loading…</p> : !low.length ? (
        <p className="muted bars__empty">Every product has more than {LOW_STOCK} in stock.</p>
      ) : (
        <>
          <ul>
            {low.map((p) => (
              <li key={p.id} className="bars__row bars__row--plain">
                <Link to={`/products/${encodeURIComponent(p.id)}`} className="bars__label" title={p.name}>{p.name}</Link>
                <span className="bars__value">{p.stock <= 0 ? 'sold out' : `${p.stock} left`}</span>
              </li>
            ))}
          </ul>
          {more > 0 ? <p className="muted bars__empty">and {more} more</p> : null}
        </>
      )}
    </figure>
  )
}
