import { useState, type FormEvent } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { TextField } from '../../components/field'
import { Alert } from '../../components/states'
import { errorMessage, fieldErrors } from '../../lib/handle-server-error'
import { safeNext } from './safe-next'
import { useSignIn, useSignUp } from './use-auth'
import { validateAuth, type AuthValues } from './validate'
import { usePageTitle } from '../../lib/page-title'

export function AuthPage({ mode }: { mode: 'signin' | 'signup' }) {
  usePageTitle(mode === 'signin' ? 'Sign in' : 'Sign up')
  const [params] = useSearchParams()
  const next = safeNext(params.get('next'))
  const navigate = useNavigate()
  const signIn = useSignIn()
  const signUp = useSignUp()
  const m = mode === 'signin' ? signIn : signUp
  const [values, setValues] = useState<AuthValues>({ name: '', email: '', password: '' })
  const [errors, setErrors] = useState<Partial<Record<keyof AuthValues, string>>>({})
  const [submitted, setSubmitted] = useState(false)

  const set = (k: keyof AuthValues) => (e: { target: { value: string } }) => {
    const v = { ...values, [k]: e.target.value }
    setValues(v)
    if (submitted) setErrors(validateAuth(v, mode))
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    setSubmitted(true)
    const errs = validateAuth(values, mode)
    setErrors(errs)
    if (Object.keys(errs).length) return
    const done = { onSuccess: () => navigate(next, { replace: true }) }
    if (mode === 'signin') signIn.mutate({ email: values.email.trim(), password: values.password }, done)
    else signUp.mutate({ name: values.name!.trim(), email: values.email.trim(), password: values.password }, done)
  }

  const server = fieldErrors(m.error)
  const err = (k: keyof AuthValues) => errors[k] ?? server[k]
  const title = mode === 'signin' ? 'Sign in' : 'Create your account'
  const other = mode === 'signin'
    ? <>New here? <Link to={`/signup?next=${encodeURIComponent(next)}`}>Create an account</Link></>
    : <>Already have an account? <Link to={`/signin?next=${encodeURIComponent(next)}`}>Sign in</Link></>

  return (
    <section className="auth card" aria-labelledby="auth-title">
      <h1 id="auth-title">{title}</h1>
      {m.error && !Object.keys(server).length ? (
        <Alert>{mode === 'signin' && (m.error as { status?: number }).status === 401 ? 'The email or password is not right.' : errorMessage(m.error)}</Alert>
      ) : null}
      <form onSubmit={onSubmit} noValidate>
        {mode === 'signup' ? (
          <TextField label="Name" name="name" autoComplete="name" required value={values.name} onChange={set('name')} error={err('name')} />
        ) : null}
        <TextField label="Email" name="email" type="email" autoComplete="email" required value={values.email} onChange={set('email')} error={err('email')} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete={mode === 'signin' ? 'current-password' : 'new-password'}
          required
          value={values.password}
          onChange={set('password')}
          error={err('password')}
          hint={mode === 'signup' ? 'At least 8 characters.' : undefined}
        />
        <button type="submit" className="btn btn--primary btn--block" disabled={m.isPending}>
          {m.isPending ? 'Please wait…' : mode === 'signin' ? 'Sign in' : 'Create account'}
        </button>
      </form>
      <p className="auth__other">{other}</p>
    </section>
  )
}
