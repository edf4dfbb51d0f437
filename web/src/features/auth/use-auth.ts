import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useRealtimeClient } from '../../lib/realtime'
import type { User } from '../../lib/types'
import { fetchMe, meKey, signIn, signOut, signUp } from './api'

export function useMe() {
  const q = useQuery({ queryKey: meKey, queryFn: fetchMe, staleTime: 60_000 })
  return { user: q.data ?? null, isLoading: q.isLoading, error: q.error }
}

/** After a session change the socket reconnects so the server sees the new cookie. */
function useOnSession() {
  const qc = useQueryClient()
  const rt = useRealtimeClient()
  return async (user: User | null) => {
    // A /me fetch sent before the change would answer for the old session
    // (and, answering late, overwrite the new one).
    await qc.cancelQueries({ queryKey: meKey })
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'auth' && q.queryKey[0] !== 'products' && q.queryKey[0] !== 'categories' })
    qc.setQueryData(meKey, user)
    rt.reconnect()
  }
}

export function useSignIn() {
  const onSession = useOnSession()
  return useMutation({ mutationFn: signIn, onSuccess: onSession })
}

export function useSignUp() {
  const onSession = useOnSession()
  return useMutation({ mutationFn: signUp, onSuccess: onSession })
}

export function useSignOut() {
  const onSession = useOnSession()
  return useMutation({ mutationFn: signOut, onSuccess: () => onSession(null) })
}
