import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '../../lib/api'
import { CheckoutForm } from './checkout-page'
import { cleanAddress, validateAddress } from './validate'

const good = { name: 'Ada Lovelace', line1: '12 St James Sq', line2: '', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' }

describe('validateAddress', () => {
  it('accepts a complete address', () => {
    expect(validateAddress(good)).toEqual({})
  })

  it('names each missing field', () => {
    const e = validateAddress({ name: ' ', line1: '', city: '', postalCode: '', country: '' })
    expect(Object.keys(e).sort()).toEqual(['city', 'country', 'line1', 'name', 'postalCode'])
  })

  it('gives the length and the limit for an overlong value', () => {
    expect(validateAddress({ ...good, city: 'x'.repeat(101) }).city).toBe('This is 101 characters; the limit is 100.')
  })

  it('rejects a postal code with symbols', () => {
    expect(validateAddress({ ...good, postalCode: '12$45' }).postalCode).toMatch(/letters, digits/)
  })

  it('drops an empty second line and trims the rest', () => {
    expect(cleanAddress({ ...good, name: ' Ada ', postalCode: 'sw1y 4jh' })).toEqual({
      name: 'Ada', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB',
    })
  })
})

describe('CheckoutForm', () => {
  it('shows messages beside the empty fields and does not submit', async () => {
    const onSubmit = vi.fn()
    render(<CheckoutForm onSubmit={onSubmit} />)
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }))
    expect(onSubmit).not.toHaveBeenCalled()
    const name = screen.getByLabelText(/Full name/)
    expect(name).toHaveAttribute('aria-invalid', 'true')
    expect(name).toHaveAccessibleDescription('Please enter the recipient’s name.')
    expect(screen.getByLabelText(/Postal code/)).toHaveAccessibleDescription('Please enter the postal code.')
    expect(name).toHaveFocus()
  })

  it('clears a message once the field is fixed', async () => {
    render(<CheckoutForm onSubmit={() => {}} />)
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }))
    await userEvent.type(screen.getByLabelText(/City/), 'Paris')
    expect(screen.getByLabelText(/City/)).not.toHaveAttribute('aria-invalid')
  })

  it('submits a valid address', async () => {
    const onSubmit = vi.fn()
    render(<CheckoutForm onSubmit={onSubmit} defaultName="Ada Lovelace" />)
    await userEvent.type(screen.getByLabelText(/^Address( \*)?$/), good.line1)
    await userEvent.type(screen.getByLabelText(/Postal code/), good.postalCode)
    await userEvent.type(screen.getByLabelText(/City/), good.city)
    await userEvent.selectOptions(screen.getByLabelText(/Country/), 'GB')
    await userEvent.click(screen.getByRole('button', { name: 'Place order' }))
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ name: 'Ada Lovelace', city: 'London', country: 'GB' }))
  })

  it('puts the server’s message beside the field it blamed', () => {
    const err = new ApiError({ status: 400, detail: 'We do not deliver to postal code 00000', field: 'shippingAddress.postalCode' })
    render(<CheckoutForm onSubmit={() => {}} serverError={err} />)
    expect(screen.getByLabelText(/Postal code/)).toHaveAccessibleDescription('We do not deliver to postal code 00000')
  })
})
