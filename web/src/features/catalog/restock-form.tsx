import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Alert } from '../../components/states'
import { errorMessage } from '../../lib/handle-server-error'
import { wholeNumberIn } from '../../lib/whole-number'
import type { Product } from '../../lib/types'
import { productKey, restockProduct } from './api'

export const MAX_RESTOCK = 1_000_000

/** For admins on a product's page: adds units to its stock. */
export function RestockForm({ product }: { product: Product }) {
  const qc = useQueryClient()
  // The field's text, so that it may be empty while the admin types.
  const [text, setText] = useState('10')
  const qty = wholeNumberIn(text, 1, MAX_RESTOCK)
  const restock = useMutation({
    mutationFn: (quantity: number) => restockProduct(product.id, quantity),
    onSuccess: (p) => {
      qc.setQueryData(productKey(p.id), p)
      // Lists and the dashboard's low-stock panel show the old stock.
      void qc.invalidateQueries({ queryKey: ['products'], predicate: (q) => q.queryKey[1] !== 'one' })
    },
  })
  return (
    <form
      className="product__buy"
      aria-label="Restock"
      onSubmit={(e) => {
        e.preventDefault()
        if (qty !== null) restock.mutate(qty)
      }}
    >
      <label htmlFor="restock-qty">Add to stock</label>
      <input
        id="restock-qty"
        type="number"
        inputMode="numeric"
        min={1}
        max={MAX_RESTOCK}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={qty === null}
      />
      <button type="submit" className="btn btn--secondary" disabled={qty === null || restock.isPending}>
        Restock
      </button>
      {restock.error ? <Alert>{errorMessage(restock.error)}</Alert> : null}
      {restock.isSuccess ? <Alert tone="success">Restocked: {restock.data.stock} in stock.</Alert> : null}
    </form>
  )
}
