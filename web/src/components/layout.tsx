import { Suspense } from 'react'
import { Link, NavLink, Outlet, ScrollRestoration, useLocation, useNavigate } from 'react-router'
import { itemCount } from '../features/cart/cart'
import { useCart } from '../features/cart/use-cart'
import { useMe, useSignOut } from '../features/auth/use-auth'
import { ConnectionIndicator } from './connection-indicator'
import { Loading } from './states'

function CartLink() {
  const [cart] = useCart()
  const n = itemCount(cart)
  return (
    <NavLink to="/cart" className="nav__link nav__cart">
      <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        <circle cx="9" cy="21" r="1" /><circle cx="20" cy="21" r="1" />
        <path d="M1 1h4l2.7 13.4a2 2 0 0 0 2 1.6h9.7a2 2 0 0 0 2-1.6L23 6H6" />
      </svg>
      <span className="nav__cart-label">Cart</span>
      {n > 0 ? <span className="badge badge--count">{n}<span className="sr-only"> {n === 1 ? 'item' : 'items'}</span></span> : null}
    </NavLink>
  )
}

function Account() {
  const { user, isLoading } = useMe()
  const signOut = useSignOut()
  const navigate = useNavigate()
  const loc = useLocation()
  if (isLoading) return <span className="nav__muted">…</span>
  if (!user) {
    const next = encodeURIComponent(loc.pathname + loc.search)
    return (
      <>
        <NavLink to={`/signin?next=${next}`} className="nav__link">Sign in</NavLink>
        <Link to={`/signup?next=${next}`} className="btn btn--primary btn--sm nav__signup">Sign up</Link>
      </>
    )
  }
  return (
    <>
      <span className="nav__user" title={user.email}>{user.name}</span>
      <button
        type="button"
        className="btn btn--ghost btn--sm"
        disabled={signOut.isPending}
        onClick={() => signOut.mutate(undefined, { onSuccess: () => navigate('/') })}
      >
        Sign out
      </button>
    </>
  )
}

export function Layout() {
  const { user } = useMe()
  return (
    <div className="app">
      <a href="#main" className="skip-link">Skip to content</a>
      <header className="header">
        <div className="header__inner container">
          <Link to="/" className="brand" aria-label="Rivulet home">
            <svg aria-hidden="true" width="26" height="26" viewBox="0 0 32 32">
              <rect width="32" height="32" rx="8" fill="var(--accent)" />
              <path d="M6 20c4-6 8 2 12-4s6-4 8-2" stroke="#fff" strokeWidth="3" fill="none" strokeLinecap="round" />
            </svg>
            <span>Rivulet</span>
          </Link>
          <nav className="nav" aria-label="Main">
            <NavLink to="/" end className="nav__link">Shop</NavLink>
            {user ? <NavLink to="/orders" className="nav__link">My orders</NavLink> : null}
            {user?.role === 'admin' ? <NavLink to="/admin" className="nav__link">Admin</NavLink> : null}
          </nav>
          <div className="header__end">
            <ConnectionIndicator />
            <CartLink />
            <Account />
          </div>
        </div>
      </header>
      <main id="main" className="main container" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
      <ScrollRestoration />
      <footer className="footer">
        <div className="container">Rivulet demo shop · orders flow through a stream in real time</div>
      </footer>
    </div>
  )
}
