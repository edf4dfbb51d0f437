import { Link } from 'react-router'
import { formatMoney } from '../../lib/money'
import type { Product } from '../../lib/types'
import { addItem } from '../cart/cart'
import { useCart } from '../cart/use-cart'
import { track } from '../events/track'
import { ProductImage } from './product-image'
import { StockNote } from './stock-note'

export function ProductCard({ product }: { product: Product }) {
  const [, update] = useCart()
  const out = product.stock <= 0
  return (
    <li className="pcard">
      <Link to={`/products/${encodeURIComponent(product.id)}`} className="pcard__link">
        <ProductImage product={product} />
        <span className="pcard__cat">{product.category}</span>
        <span className="pcard__name">{product.name}</span>
      </Link>
      <div className="pcard__foot">
        <span className="price">{formatMoney(product.price, product.currency)}</span>
        <StockNote stock={product.stock} />
      </div>
      <button
        type="button"
        className="btn btn--secondary btn--block"
        disabled={out}
        onClick={() => {
          update((c) => addItem(c, product))
          track('add_to_cart', product.id)
        }}
      >
        {out ? 'Sold out' : 'Add to cart'} <span className="sr-only">{product.name}</span>
      </button>
    </li>
  )
}
