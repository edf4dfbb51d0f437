import { act, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { json, renderRoute, type Handler } from '../../test/render'
import { AuthPage } from './auth-page'
import { useMe } from './use-auth'
import { safeNext } from './safe-next'
import { validateAuth } from './validate'

let restore = () => {}
afterEach(() => restore())
function show(mode: 'signin' | 'signup', api: Handler) {
  const r = renderRoute(<AuthPage mode={mode} />, { path: `/${mode}`, api })
  restore = () => { r.restore() }
  return r
}

describe('validateAuth', () => {
  it('asks for a name, a real-looking email and 8 characters when signing up', () => {
    expect(validateAuth({ name: '', email: 'nope', password: 'short' }, 'signup')).toEqual({
      name: 'Please enter your name.',
      email: 'That does not look like an email address.',
      password: 'Use at least 8 characters.',
    })
    expect(validateAuth({ email: 'a@b.co', password: 'x' }, 'signin')).toEqual({})
  })
})

describe('safeNext', () => {
  it('only follows paths on this site', () => {
    expect(safeNext('/checkout')).toBe('/checkout')
    expect(safeNext('//evil.example')).toBe('/')
    expect(safeNext('https://evil.example')).toBe('/')
    expect(safeNext(null)).toBe('/')
  })
})

describe('AuthPage', () => {
  it('says plainly that the credentials are wrong on 401', async () => {
    show('signin', (path) => path === '/api/auth/login'
      ? json({ status: 401, title: 'Unauthorized', detail: 'invalid credentials' }, 401)
      : json({ status: 401 }, 401))
    await userEvent.type(screen.getByLabelText(/Email/), 'ada@example.com')
    await userEvent.type(screen.getByLabelText(/Password/), 'wrong-password')
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('The email or password is not right.')
  })

  it('puts a server error about the email beside the email field', async () => {
    show('signup', (path) => path === '/api/auth/signup'
      ? json({ status: 409, detail: 'An account with this email already exists.', field: 'email' }, 409)
      : json({ status: 401 }, 401))
    await userEvent.type(screen.getByLabelText(/Name/), 'Ada')
    await userEvent.type(screen.getByLabelText(/Email/), 'ada@example.com')
    await userEvent.type(screen.getByLabelText(/Password/), 'long-enough')
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }))
    expect(await screen.findByText('An account with this email already exists.')).toBeInTheDocument()
    expect(screen.getByLabelText(/Email/)).toHaveAccessibleDescription('An account with this email already exists.')
  })

  it('stays signed in when a /api/auth/me sent before the sign-in answers after it', async () => {
    // Under load the page's first "who am I" can be slower than the whole
    // sign-in; its "nobody" must not undo the session.
    let answerMe = () => {}
    const meAnswered = new Promise<void>((resolve) => { answerMe = resolve })
    function Who() {
      const { user } = useMe()
      return <p>{user ? `Signed in as ${user.name}` : 'Signed out'}</p>
    }
    const r = renderRoute(<><Who /><AuthPage mode="signin" /></>, {
      path: '/signin', pattern: '*',
      api: async (path) => {
        if (path === '/api/auth/login') return json({ id: 'u-1', email: 'ada@example.com', name: 'Ada', role: 'customer' })
        await meAnswered
        return json({ status: 401 }, 401)
      },
    })
    restore = () => { r.restore() }
    await userEvent.type(screen.getByLabelText(/Email/), 'ada@example.com')
    await userEvent.type(screen.getByLabelText(/Password/), 'right-password')
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByText('Signed in as Ada')).toBeInTheDocument()
    await act(async () => {
      answerMe()
      await new Promise((resolve) => setTimeout(resolve, 10))
    })
    expect(screen.getByText('Signed in as Ada')).toBeInTheDocument()
  })
})
