import { NavLink } from 'react-router'

export function AdminNav() {
  return (
    <nav className="subnav" aria-label="Admin">
      <NavLink to="/admin" end className="subnav__link">Dashboard</NavLink>
      <NavLink to="/admin/orders" className="subnav__link">Orders</NavLink>
      <NavLink to="/admin/console" className="subnav__link">Operations console</NavLink>
    </nav>
  )
}
