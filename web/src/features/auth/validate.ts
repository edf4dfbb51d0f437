export interface AuthValues {
  name?: string
  email: string
  password: string
}

export const MIN_PASSWORD = 8
export const MAX_PASSWORD = 128

export function validateAuth(v: AuthValues, mode: 'signin' | 'signup'): Partial<Record<keyof AuthValues, string>> {
  const e: Partial<Record<keyof AuthValues, string>> = {}
  if (mode === 'signup') {
    if (!v.name?.trim()) e.name = 'Please enter your name.'
    else if (v.name.trim().length > 100) e.name = 'Your name can be at most 100 characters.'
  }
  if (!v.email.trim()) e.email = 'Please enter your email address.'
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email.trim())) e.email = 'That does not look like an email address.'
  if (!v.password) e.password = 'Please enter your password.'
  else if (mode === 'signup' && v.password.length < MIN_PASSWORD)
    e.password = `Use at least ${MIN_PASSWORD} characters.`
  else if (v.password.length > MAX_PASSWORD) e.password = `Use at most ${MAX_PASSWORD} characters.`
  return e
}
