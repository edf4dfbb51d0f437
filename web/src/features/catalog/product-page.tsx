import { useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { Link, useParams } from 'react-router'
import { Alert, ErrorState, Loading } from '../../components/states'
import { isNotFound } from '../../lib/handle-server-error'
import { formatMoney } from '../../lib/money'
import { addItem, MAX_QUANTITY } from '../cart/cart'
import { useCart } from '../cart/use-cart'
import { track } from '../events/track'
import { fetchProduct, productKey } from './api'
import { ProductImage } from './product-image'
import { RestockForm } from './restock-form'
import { StockNote } from './stock-note'
import { usePageTitle } from '../../lib/page-title'
import { wholeNumberIn } from '../../lib/whole-number'
import { useMe } from '../auth/use-auth'

export function ProductPage() {
  const { id = '' } = useParams()
  const product = useQuery({ queryKey: productKey(id), queryFn: ({ signal }) => fetchProduct(id, signal) })
  usePageTitle(product.data?.name ?? 'Product')
  const [cart, update] = useCart()
  const { user } = useMe()
  // The field's text: it may be empty, or out of range, while the customer types.
  const [qtyText, setQtyText] = useState('1')
  const [added, setAdded] = useState(false)

  useEffect(() => track('product_view', id), [id])

  if (product.isLoading) return <Loading label="Loading product…" />
  if (product.error)
    return isNotFound(product.error) ? (
      <div className="state state--empty">
        <p className="state__title">We could not find that product</p>
        <Link to="/" className="btn btn--secondary">Back to the shop</Link>
      </div>
    ) : (
      <ErrorState error={product.error} onRetry={() => product.refetch()} />
    )
  const p = product.data!
  const inCart = cart.find((l) => l.productId === p.id)?.quantity ?? 0
  const max = Math.max(0, Math.min(MAX_QUANTITY, p.stock) - inCart)
  const qty = wholeNumberIn(qtyText, 1, max)

  return (
    <article className="product">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/">Shop</Link> <span aria-hidden="true">/</span> <span>{p.category}</span>
      </nav>
      <div className="product__grid">
        <ProductImage product={p} size="large" />
        <div className="product__info">
          <h1>{p.name}</h1>
          <p className="price price--lg">{formatMoney(p.price, p.currency)}</p>
          <StockNote stock={p.stock} />
          <p className="product__desc">{p.description}</p>
          <form
            className="product__buy"
            onSubmit={(e) => {
              e.preventDefault()
              if (qty === null) return
              update((c) => addItem(c, p, qty))
              track('add_to_cart', p.id)
              setAdded(true)
              setQtyText('1')
            }}
          >
            <label htmlFor="qty">Quantity</label>
            <input
              id="qty"
              type="number"
              inputMode="numeric"
              min={1}
              max={Math.max(1, max)}
              value={qtyText}
              onChange={(e) => setQtyText(e.target.value)}
              aria-invalid={max > 0 && qty === null}
              aria-describedby={max > 0 && qty === null ? 'qty-hint' : undefined}
              disabled={max === 0}
            />
            <button type="submit" className="btn btn--primary" disabled={max === 0 || qty === null}>
              {p.stock <= 0 ? 'Sold out' : max === 0 ? 'All in your cart' : 'Add to cart'}
            </button>
          </form>
          {max > 0 && qty === null ? <p id="qty-hint" className="muted">Enter a whole number from 1 to {max}.</p> : null}
          {added ? (
            <Alert tone="success">
              Added to your cart. <Link to="/cart">View cart ({inCart})</Link>
            </Alert>
          ) : null}
          {user?.role === 'admin' ? <RestockForm product={p} /> : null}
        </div>
      </div>
    </article>
  )
}
