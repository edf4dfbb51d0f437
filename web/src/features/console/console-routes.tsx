// The operations console (admins only): its own lazy chunk with its own
// routes under /admin/console/*, a side navigation and one page per area.
import { Navigate, NavLink, Route, Routes } from 'react-router'
import { AdminNav } from '../admin/admin-nav'
import { FunctionsPage } from './functions-page'
import { IamPage } from './iam-page'
import { ObjectsPage } from './objects-page'
import { OutboxPage } from './outbox-page'
import { StreamPage } from './stream-page'
import { StreamsPage } from './streams-page'
import { TablesPage } from './tables-page'
import './console.css'

const AREAS: [string, string][] = [
  ['streams', 'Streams'],
  ['functions', 'Functions'],
  ['tables', 'Tables'],
  ['objects', 'Objects'],
  ['outbox', 'Email outbox'],
  ['iam', 'IAM'],
]

export function ConsoleRoutes() {
  return (
    <div className="console">
      <AdminNav />
      <div className="console__body">
        <nav className="console__nav" aria-label="Console">
          <ul>
            {AREAS.map(([path, label]) => (
              <li key={path}><NavLink to={`/admin/console/${path}`} className="console__link">{label}</NavLink></li>
            ))}
          </ul>
        </nav>
        <div className="console__page">
          <Routes>
            <Route index element={<Navigate to="streams" replace />} />
            <Route path="streams" element={<StreamsPage />} />
            <Route path="streams/:name" element={<StreamPage />} />
            <Route path="functions" element={<FunctionsPage />} />
            <Route path="tables" element={<TablesPage />} />
            <Route path="tables/:name" element={<TablesPage />} />
            <Route path="objects" element={<ObjectsPage />} />
            <Route path="outbox" element={<OutboxPage />} />
            <Route path="iam" element={<IamPage />} />
            <Route path="*" element={<Navigate to="streams" replace />} />
          </Routes>
        </div>
      </div>
    </div>
  )
}
