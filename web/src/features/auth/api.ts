import { api, ApiError } from '../../lib/api'
import type { User } from '../../lib/types'

export const meKey = ['auth', 'me'] as const

/** The signed-in user, or null when signed out. */
export async function fetchMe(): Promise<User | null> {
  try {
    return await api<User>('/api/auth/me')
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null
    throw e
  }
}

export const signIn = (body: { email: string; password: string }) =>
  api<User>('/api/auth/login', { body })

export const signUp = (body: { email: string; password: string; name: string }) =>
  api<User>('/api/auth/signup', { body })

export const signOut = () => api<void>('/api/auth/logout', { method: 'POST' })
