import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { json, renderRoute } from '../../test/render'
import { STORAGE_KEY } from './cart'
import { CartPage } from './cart-page'

let restore = () => {}
afterEach(() => {
  restore()
  localStorage.clear()
})

const stored = () => JSON.parse(localStorage.getItem(STORAGE_KEY)!)

function show() {
  localStorage.setItem(STORAGE_KEY, JSON.stringify([
    { productId: 'p-1', name: 'Stoneware Mug', unitPrice: 1250, currency: 'EUR', quantity: 2, stock: 40 },
  ]))
  const r = renderRoute(<CartPage />, { path: '/cart', api: () => json({}) })
  restore = () => { r.restore() }
}

/** Clears the mug's quantity field and types `text`; returns the field. */
async function typeQuantity(text: string) {
  const qty = await screen.findByLabelText('Quantity of Stoneware Mug')
  await userEvent.clear(qty)
  await userEvent.type(qty, text)
  return qty
}

describe('CartPage quantity', () => {
  it('takes the quantity typed after clearing the field', async () => {
    show()
    const qty = await typeQuantity('3')
    expect(stored()[0].quantity).toBe(3)
    expect(qty).toHaveValue(3)
  })

  it('sets a number over the stock to the stock on leaving the field, and says so', async () => {
    show()
    const qty = await typeQuantity('41')
    expect(qty).toHaveAttribute('aria-invalid', 'true')
    expect(screen.getByText('Enter a whole number from 1 to 40.')).toBeInTheDocument()
    await userEvent.tab()
    expect(stored()[0].quantity).toBe(40)
    expect(qty).toHaveValue(40)
    expect(qty).toHaveAccessibleDescription('Only 40 available.')
    expect(screen.getByRole('button', { name: 'One more Stoneware Mug' })).toBeDisabled()
    await userEvent.click(screen.getByRole('button', { name: 'One fewer Stoneware Mug' }))
    expect(qty).toHaveValue(39)
    expect(screen.queryByText('Only 40 available.')).not.toBeInTheDocument()
  })

  it('shows the cart’s quantity again when the field is left empty or at 0', async () => {
    show()
    const qty = await typeQuantity('0')
    expect(qty).toHaveAccessibleDescription('Enter a whole number from 1 to 40.')
    await userEvent.tab()
    expect(stored()[0].quantity).toBe(2)
    expect(qty).toHaveValue(2)
    expect(qty).toHaveAttribute('aria-invalid', 'false')
    await userEvent.clear(qty)
    await userEvent.tab()
    expect(qty).toHaveValue(2)
  })
})
