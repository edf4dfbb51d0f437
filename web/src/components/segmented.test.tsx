import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import { Segmented } from './segmented'

function Demo() {
  const [v, setV] = useState<'a' | 'b' | 'c'>('b')
  return <Segmented label="Pick" value={v} onChange={setV} options={[{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }, { value: 'c', label: 'C' }]} />
}

describe('Segmented', () => {
  it('is one tab stop and follows the arrow keys', async () => {
    render(<><button type="button">before</button><Demo /></>)
    await userEvent.click(screen.getByText('before'))
    await userEvent.tab()
    expect(screen.getByRole('radio', { name: 'B' })).toHaveFocus()
    await userEvent.keyboard('{ArrowRight}')
    expect(screen.getByRole('radio', { name: 'C' })).toHaveFocus()
    expect(screen.getByRole('radio', { name: 'C' })).toHaveAttribute('aria-checked', 'true')
    await userEvent.keyboard('{ArrowRight}')
    expect(screen.getByRole('radio', { name: 'A' })).toHaveAttribute('aria-checked', 'true')
    await userEvent.keyboard('{End}')
    expect(screen.getByRole('radio', { name: 'C' })).toHaveFocus()
    expect(screen.getAllByRole('radio').map((r) => r.tabIndex)).toEqual([-1, -1, 0])
  })
})
