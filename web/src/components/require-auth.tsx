import type { ReactNode } from 'react'
import { Link, Navigate, useLocation } from 'react-router'
import { useMe } from '../features/auth/use-auth'
import { Empty, ErrorState, Loading } from './states'

/** Renders children for a signed-in user (with `role` when given); else asks to sign in. */
export function RequireAuth({ role, children }: { role?: 'admin'; children: ReactNode }) {
  const { user, isLoading, error } = useMe()
  const loc = useLocation()
  if (isLoading) return <Loading />
  if (error) return <ErrorState error={error} />
  if (!user) return <Navigate to={`/signin?next=${encodeURIComponent(loc.pathname + loc.search)}`} replace />
  if (role && user.role !== role)
    return (
      <Empty title="This page is for administrators">
        <p>You are signed in as {user.email}. <Link to="/">Back to the shop</Link></p>
      </Empty>
    )
  return <>{children}</>
}
