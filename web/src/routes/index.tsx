// The route table: thin, each route names its page. Admin pages are split
// off with React.lazy so the shop's first load does not carry the charts.
import { lazy } from 'react'
import { createBrowserRouter, Link, type RouteObject } from 'react-router'
import { Layout } from '../components/layout'
import { RequireAuth } from '../components/require-auth'
import { AuthPage } from '../features/auth/auth-page'
import { CartPage } from '../features/cart/cart-page'
import { ProductPage } from '../features/catalog/product-page'
import { ShopPage } from '../features/catalog/shop-page'
import { CheckoutPage } from '../features/checkout/checkout-page'
import { MyOrdersPage } from '../features/orders/my-orders-page'
import { OrderPage } from '../features/orders/order-page'

const DashboardPage = lazy(() => import('../features/admin/dashboard-page').then((m) => ({ default: m.DashboardPage })))
const AdminOrdersPage = lazy(() => import('../features/admin/admin-orders-page').then((m) => ({ default: m.AdminOrdersPage })))
const ConsoleRoutes = lazy(() => import('../features/console/console-routes').then((m) => ({ default: m.ConsoleRoutes })))

function NotFound() {
  return (
    <div className="state state--empty">
      <h1 className="state__title">Page not found</h1>
      <Link to="/" className="btn btn--primary">Back to the shop</Link>
    </div>
  )
}

export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { path: '/', element: <ShopPage /> },
      { path: '/products/:id', element: <ProductPage /> },
      { path: '/cart', element: <CartPage /> },
      { path: '/checkout', element: <RequireAuth><CheckoutPage /></RequireAuth> },
      { path: '/signin', element: <AuthPage mode="signin" /> },
      { path: '/signup', element: <AuthPage mode="signup" /> },
      { path: '/orders', element: <RequireAuth><MyOrdersPage /></RequireAuth> },
      { path: '/orders/:id', element: <RequireAuth><OrderPage /></RequireAuth> },
      { path: '/admin', element: <RequireAuth role="admin"><DashboardPage /></RequireAuth> },
      { path: '/admin/orders', element: <RequireAuth role="admin"><AdminOrdersPage /></RequireAuth> },
      { path: '/admin/console/*', element: <RequireAuth role="admin"><ConsoleRoutes /></RequireAuth> },
      { path: '*', element: <NotFound /> },
    ],
  },
]

export const createRouter = () => createBrowserRouter(routes)
