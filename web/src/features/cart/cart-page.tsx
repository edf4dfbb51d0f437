import { useState } from 'react'
import { Link } from 'react-router'
import { Empty } from '../../components/states'
import { formatMoney } from '../../lib/money'
import { wholeNumberIn } from '../../lib/whole-number'
import { cartTotals, itemCount, MAX_QUANTITY, removeItem, setQuantity } from './cart'
import { useCart } from './use-cart'
import { usePageTitle } from '../../lib/page-title'

/** A line's quantity field. It keeps what is typed (it may be empty for a
 * moment) and the cart takes each whole number from 1 to `max` as it is
 * typed. On leaving the field a larger number sets the line to `max`, with a
 * note saying so; anything else shows the cart's quantity again. */
function QuantityField({ id, label, value, max, onChange }: { id: string; label: string; value: number; max: number; onChange: (v: number) => void }) {
  const [text, setText] = useState(String(value))
  const [cappedAt, setCappedAt] = useState<number | null>(null)
  // A change from elsewhere (the − and + buttons) replaces what is typed.
  const [shown, setShown] = useState(value)
  if (shown !== value) {
    setShown(value)
    setText(String(value))
  }
  const valid = wholeNumberIn(text, 1, max) !== null
  const note = !valid ? `Enter a whole number from 1 to ${max}.` : cappedAt === value ? `Only ${max} available.` : null
  const noteId = `${id}-note`
  return (
    <span className="line__field">
      <label className="sr-only" htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        max={max}
        value={text}
        aria-invalid={!valid}
        aria-describedby={note ? noteId : undefined}
        onChange={(e) => {
          setText(e.target.value)
          setCappedAt(null)
          const typed = wholeNumberIn(e.target.value, 1, max)
          if (typed !== null) onChange(typed)
        }}
        onBlur={() => {
          const over = wholeNumberIn(text, max + 1, Number.MAX_SAFE_INTEGER) !== null
          if (over) onChange(max)
          setCappedAt(over ? max : null)
          setText(String(over ? max : value))
        }}
      />
      {note ? <span id={noteId} className="line__note" role="status">{note}</span> : null}
    </span>
  )
}

export function CartPage() {
  const [cart, update] = useCart()
  usePageTitle('Cart')
  if (!cart.length)
    return (
      <>
        <h1>Your cart</h1>
        <Empty title="Your cart is empty">
          <Link to="/" className="btn btn--primary">Browse the shop</Link>
        </Empty>
      </>
    )
  const totals = cartTotals(cart)
  const n = itemCount(cart)
  return (
    <div className="cart">
      <h1>Your cart</h1>
      <div className="two-col">
        <ul className="lines card" aria-label="Items in your cart">
          {cart.map((l) => (
            <li key={l.productId} className="line">
              <div className="line__main">
                <Link to={`/products/${encodeURIComponent(l.productId)}`} className="line__name">{l.name}</Link>
                <span className="muted">{formatMoney(l.unitPrice, l.currency)} each</span>
              </div>
              <div className="line__qty">
                <button type="button" className="btn btn--icon" aria-label={`One fewer ${l.name}`} onClick={() => update((c) => setQuantity(c, l.productId, l.quantity - 1))}>−</button>
                <QuantityField
                  id={`q-${l.productId}`}
                  label={`Quantity of ${l.name}`}
                  value={l.quantity}
                  max={Math.min(MAX_QUANTITY, l.stock ?? MAX_QUANTITY)}
                  onChange={(v) => update((c) => setQuantity(c, l.productId, v))}
                />
                <button
                  type="button"
                  className="btn btn--icon"
                  aria-label={`One more ${l.name}`}
                  disabled={l.quantity >= Math.min(MAX_QUANTITY, l.stock ?? MAX_QUANTITY)}
                  onClick={() => update((c) => setQuantity(c, l.productId, l.quantity + 1))}
                >+</button>
              </div>
              <span className="line__total">{formatMoney(l.unitPrice * l.quantity, l.currency)}</span>
              <button type="button" className="btn btn--link" onClick={() => update((c) => removeItem(c, l.productId))} aria-label={`Remove ${l.name}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        <aside className="summary card" aria-label="Order summary">
          <h2>Summary</h2>
          <dl className="kv">
            <dt>Items</dt><dd>{n}</dd>
            <dt>Shipping</dt><dd>Free</dd>
            {totals.map((t) => (
              <div key={t.currency} className="kv__total"><dt>Total</dt><dd>{formatMoney(t.amount, t.currency)}</dd></div>
            ))}
          </dl>
          {totals.length > 1 ? <p className="field__error">Items in different currencies cannot be ordered together.</p> : null}
          <Link to="/checkout" className="btn btn--primary btn--block" aria-disabled={totals.length > 1}>Checkout</Link>
          <Link to="/" className="btn btn--ghost btn--block">Continue shopping</Link>
        </aside>
      </div>
    </div>
  )
}
