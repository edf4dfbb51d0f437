import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { ErrorState } from '../../components/states'
import type { Product } from '../../lib/types'
import { fetchAllProducts, lowStockKey } from './api'

export const LOW_STOCK = 10

/** The products with at most `limit` units left, fewest first (then by name), at most `count` of them. */
export function lowStock(products: Product[], limit = LOW_STOCK, count = 10): Product[] {
  return products
    .filter((p) => p.stock <= limit)
    .sort((a, b) => a.stock - b.stock || a.name.localeCompare(b.name))
    .slice(0, count)
}

/** Dashboard panel: what is about to sell out, each linking to its page (where admins restock). */
export function LowStockPanel() {
  const q = useQuery({ queryKey: lowStockKey, queryFn: ({ signal }) => fetchAllProducts(signal), refetchInterval: 10_000 })
  if (q.error) return <ErrorState error={q.error} onRetry={() => q.refetch()} title="Could not load the stock" />
  const low = lowStock(q.data ?? [])
  return (
    <figure className="bars">
      <figcaption className="chart__title">
        Low stock<span className="chart__note">Products with {LOW_STOCK} or fewer left; open one to restock it.</span>
      </figcaption>
      {q.isLoading ? <p className="muted bars__empty">Loading…</p> : !low.length ? (
        <p className="muted bars__empty">Every product has more than {LOW_STOCK} in stock.</p>
      ) : (
        <ul>
          {low.map((p) => (
            <li key={p.id} className="bars__row bars__row--plain">
              <Link to={`/products/${encodeURIComponent(p.id)}`} className="bars__label" title={p.name}>{p.name}</Link>
              <span className="bars__value">{p.stock <= 0 ? 'sold out' : `${p.stock} left`}</span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  )
}
