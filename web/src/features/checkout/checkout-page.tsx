import { useMutation } from '@tanstack/react-query'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { Link, useNavigate } from 'react-router'
import { SelectField, TextField } from '../../components/field'
import { Alert, Empty } from '../../components/states'
import { errorMessage, fieldErrors } from '../../lib/handle-server-error'
import { formatMoney } from '../../lib/money'
import type { ShippingAddress } from '../../lib/types'
import { placeOrder } from './api'
import { useMe } from '../auth/use-auth'
import { cartTotals } from '../cart/cart'
import { useCart } from '../cart/use-cart'
import { track } from '../events/track'
import { COUNTRIES, validateAddress, type AddressErrors } from './validate'
import { usePageTitle } from '../../lib/page-title'

const EMPTY: ShippingAddress = { name: '', line1: '', line2: '', city: '', postalCode: '', country: '' }

function newKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`
}

export interface CheckoutFormProps {
  defaultName?: string
  onSubmit: (address: ShippingAddress) => void
  pending?: boolean
  serverError?: unknown
}

/** The address form; validation messages sit beside their fields. */
export function CheckoutForm({ defaultName = '', onSubmit, pending, serverError }: CheckoutFormProps) {
  const [a, setA] = useState<ShippingAddress>({ ...EMPTY, name: defaultName })
  const [errors, setErrors] = useState<AddressErrors>({})
  const [submitted, setSubmitted] = useState(false)
  const formRef = useRef<HTMLFormElement>(null)
  const server = fieldErrors(serverError, 'shippingAddress') as AddressErrors
  const err = (k: keyof ShippingAddress) => errors[k] ?? server[k]

  const set = (k: keyof ShippingAddress) => (e: { target: { value: string } }) => {
    const next = { ...a, [k]: e.target.value }
    setA(next)
    if (submitted) setErrors(validateAddress(next))
  }

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setSubmitted(true)
    const errs = validateAddress(a)
    setErrors(errs)
    const first = Object.keys(errs)[0]
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus()
      return
    }
    onSubmit(a)
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Shipping address">
      <TextField label="Full name" name="name" autoComplete="name" required value={a.name} onChange={set('name')} error={err('name')} />
      <TextField label="Address" name="line1" autoComplete="address-line1" required value={a.line1} onChange={set('line1')} error={err('line1')} />
      <TextField label="Address line 2 (optional)" name="line2" autoComplete="address-line2" value={a.line2} onChange={set('line2')} error={err('line2')} />
      <div className="row">
        <TextField label="Postal code" name="postalCode" autoComplete="postal-code" required value={a.postalCode} onChange={set('postalCode')} error={err('postalCode')} />
        <TextField label="City" name="city" autoComplete="address-level2" required value={a.city} onChange={set('city')} error={err('city')} />
      </div>
      <SelectField label="Country" name="country" autoComplete="country" required value={a.country} onChange={set('country')} error={err('country')}>
        <option value="">Choose a country</option>
        {COUNTRIES.map(([code, name]) => <option key={code} value={code}>{name}</option>)}
      </SelectField>
      <button type="submit" className="btn btn--primary btn--block btn--lg" disabled={pending}>
        {pending ? 'Placing your order…' : 'Place order'}
      </button>
    </form>
  )
}

export function CheckoutPage() {
  const [cart, update] = useCart()
  const { user } = useMe()
  const navigate = useNavigate()
  usePageTitle('Checkout')
  // One key per checkout attempt: a retry after a network error cannot order twice.
  const keyRef = useRef(newKey())
  useEffect(() => track('checkout_started'), [])
  const order = useMutation({
    mutationFn: (address: ShippingAddress) => placeOrder(cart, address, keyRef.current),
    onSuccess: (res) => {
      update(() => [])
      navigate(`/orders/${encodeURIComponent(res.id)}`, { replace: true, state: { placed: true } })
    },
  })

  if (!cart.length && !order.isSuccess)
    return (
      <>
        <h1>Checkout</h1>
        <Empty title="Your cart is empty"><Link to="/" className="btn btn--primary">Browse the shop</Link></Empty>
      </>
    )
  const totals = cartTotals(cart)
  const serverField = fieldErrors(order.error, 'shippingAddress')

  return (
    <div className="checkout">
      <h1>Checkout</h1>
      <div className="two-col">
        <section className="card" aria-labelledby="ship-title">
          <h2 id="ship-title">Shipping address</h2>
          {order.error && !Object.keys(serverField).length ? <Alert>{errorMessage(order.error)}</Alert> : null}
          <CheckoutForm defaultName={user?.name} pending={order.isPending} serverError={order.error} onSubmit={(a) => order.mutate(a)} />
        </section>
        <aside className="summary card" aria-label="Order summary">
          <h2>Your order</h2>
          <ul className="mini-lines">
            {cart.map((l) => (
              <li key={l.productId}>
                <span>{l.quantity} × {l.name}</span>
                <span>{formatMoney(l.unitPrice * l.quantity, l.currency)}</span>
              </li>
            ))}
          </ul>
          <dl className="kv">
            {totals.map((t) => (
              <div key={t.currency} className="kv__total"><dt>Total</dt><dd>{formatMoney(t.amount, t.currency)}</dd></div>
            ))}
          </dl>
          <Link to="/cart" className="btn btn--link">Edit cart</Link>
        </aside>
      </div>
    </div>
  )
}
