// DEV ONLY: serves web/dist and a small in-memory imitation of the /api/ and
// /ws contract (docs/api.md) so the UI can be clicked through and
// screenshotted before the real server exists. It proves nothing about
// Rivulet; tests of real behaviour run against Rivulet (shop.e2e.mjs).
//
//   node e2e/fake-rivulet.mjs [port]        (default 5180)
// Admin: admin@example.com / adminadmin
import { randomUUID } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocketServer } from 'ws'

const dist = fileURLToPath(new URL('../dist/', import.meta.url))

const CATS = {
  Coffee: ['Ethiopia Yirgacheffe', 'Colombia Huila', 'Brazil Cerrado', 'Kenya AA', 'Guatemala Antigua', 'Sumatra Mandheling', 'Espresso Blend No. 5', 'Decaf Swiss Water', 'Costa Rica Tarrazú', 'Rwanda Nyamasheke', 'House Blend', 'Panama Geisha'],
  Tea: ['Darjeeling First Flush', 'Assam Breakfast', 'Sencha Uji', 'Jasmine Pearls', 'Earl Grey Supreme', 'Rooibos Vanilla', 'Oolong Tieguanyin', 'Matcha Ceremonial', 'Chamomile Flowers', 'Lapsang Souchong'],
  Brewing: ['Pour-over Dripper', 'Glass Carafe 600 ml', 'Paper Filters (100)', 'French Press 1 l', 'Gooseneck Kettle', 'Cold Brew Bottle', 'AeroPress Go', 'Moka Pot 6 cup', 'Tea Infuser Basket', 'Milk Frother'],
  Grinders: ['Hand Grinder Steel', 'Burr Grinder Pro', 'Travel Grinder', 'Grinder Brush Set', 'Conical Burr Set'],
  Cups: ['Stoneware Mug', 'Double-wall Glass', 'Espresso Cup Pair', 'Travel Tumbler', 'Porcelain Teacup', 'Latte Bowl', 'Enamel Camp Mug'],
  Accessories: ['Digital Scale', 'Tamper 58 mm', 'Knock Box', 'Storage Canister', 'Cleaning Tablets', 'Barista Towel', 'Thermometer Clip', 'Gift Card'],
}
const products = []
let n = 1
for (const [cat, names] of Object.entries(CATS)) {
  for (const name of names) {
    const id = `p-${String(n).padStart(3, '0')}`
    const price = 400 + ((n * 977) % 6000)
    products.push({
      id, name, category: cat, currency: 'EUR', price: price - (price % 10) + 9,
      stock: n % 13 === 0 ? 0 : n % 7 === 0 ? 3 : 20 + (n % 40),
      description: `${name}: a favourite in our ${cat.toLowerCase()} range. Carefully sourced, packed to order and shipped within a day.`,
    })
    n++
  }
}
const categories = Object.keys(CATS).map((c) => ({ id: c.toLowerCase(), name: c, count: CATS[c].length }))

const users = new Map() // email -> user
const sessions = new Map() // token -> user
const orders = new Map()
function addUser(email, password, name, role) {
  const u = { id: `c-${randomUUID().slice(0, 8)}`, email, name, role, password }
  users.set(email, u)
  return u
}
addUser('admin@example.com', 'adminadmin', 'Alex Admin', 'admin')

const now = () => new Date().toISOString()
const pub = (u) => ({ id: u.id, email: u.email, name: u.name, role: u.role })
function problem(res, status, detail, field) {
  res.writeHead(status, { 'content-type': 'application/problem+json' })
  res.end(JSON.stringify({ type: 'about:blank', title: 'Error', status, detail, requestId: randomUUID().slice(0, 8), ...(field ? { field } : {}) }))
}
function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(body === undefined ? '' : JSON.stringify(body))
}
function userOf(req) {
  const m = /(?:^|;\s*)rivulet_session=([^;]+)/.exec(req.headers.cookie ?? '')
  return m ? sessions.get(m[1]) : undefined
}
function session(res, u, status) {
  const t = randomUUID()
  sessions.set(t, u)
  json(res, status, pub(u), { 'set-cookie': `rivulet_session=${t}; Path=/; HttpOnly; SameSite=Lax` })
}
async function body(req) {
  let s = ''
  for await (const c of req) s += c
  try { return s ? JSON.parse(s) : {} } catch { return null }
}

// WebSocket topics
const subs = new Map() // topic -> Set<ws>
function publish(topic, data) {
  for (const ws of subs.get(topic) ?? []) ws.send(JSON.stringify({ topic, data }))
}
function setStatus(o, status, reason) {
  const at = now()
  o.status = status
  o.updatedAt = at
  o.history.push({ status, at, ...(reason ? { reason } : {}) })
  const ev = { orderId: o.id, status, at, ...(reason ? { reason } : {}) }
  publish(`orders/${o.customerId}`, ev)
  publish('admin/orders', ev)
}

// Synthetic analytics with some motion.
const series5m = []
function tickAnalytics() {
  const t = Math.floor(Date.now() / 1000)
  const base = 9 + 4 * Math.sin(t / 40) + Math.random() * 3
  series5m.push({ t: new Date(t * 1000).toISOString(), orders: Math.round(base), revenue: Math.round(base * (1500 + Math.random() * 600)) })
  while (series5m.length > 300) series5m.shift()
}
for (let i = 300; i > 0; i--) {
  const t = Math.floor(Date.now() / 1000) - i
  const base = 9 + 4 * Math.sin(t / 40) + Math.random() * 3
  series5m.push({ t: new Date(t * 1000).toISOString(), orders: Math.round(base), revenue: Math.round(base * (1500 + Math.random() * 600)) })
}
function summary(range = '5m') {
  const last = series5m.slice(-60)
  const om = last.reduce((a, p) => a + p.orders, 0)
  const rm = last.reduce((a, p) => a + p.revenue, 0)
  const step = range === '5m' ? 1 : 60
  const points = range === '5m' ? 300 : range === '1h' ? 60 : 1440
  const series = range === '5m' ? series5m : Array.from({ length: points }, (_, i) => {
    const t = Math.floor(Date.now() / 60000) * 60 - (points - i) * step
    const o = Math.round(60 * (9 + 4 * Math.sin(t / 2400) + Math.random() * 2))
    return { t: new Date(t * 1000).toISOString(), orders: o, revenue: o * 1700 }
  })
  const k = range === '5m' ? 1 : range === '1h' ? 12 : 280
  const tops = products.slice(0, 10).map((p, i) => ({ productId: p.id, name: p.name, units: (60 - i * 5) * k, revenue: (60 - i * 5) * k * p.price }))
  return {
    at: now(), range, currency: 'EUR',
    ordersPerSecond: series5m.at(-1).orders, ordersLastMinute: om, revenueLastMinute: rm, averageBasket: Math.round(rm / Math.max(1, om)),
    byStatus: { PLACED: 3 * k, CONFIRMED: 520 * k, SHIPPED: 140 * k, DELIVERED: 90 * k, REJECTED: 11 * k, CANCELLED: 6 * k },
    topProducts: tops,
    topCategories: Object.keys(CATS).map((c, i) => ({ category: c, units: (300 - i * 40) * k, revenue: (300 - i * 40) * k * 1500 })),
    funnel: { pageViews: 5000 * k, productViews: 2100 * k, addToCart: 900 * k, checkouts: 750 * k, orders: 700 * k },
    latencyMs: { p50: 1 + Math.random() * 0.6, p99: 4 + Math.random() * 2.5 },
    series,
  }
}
setInterval(() => {
  tickAnalytics()
  if (subs.get('analytics')?.size) publish('analytics', summary('5m'))
}, 1000).unref()

async function handleApi(req, res, url) {
  const p = url.pathname
  const me = userOf(req)
  const m = req.method
  if (p === '/api/auth/signup' && m === 'POST') {
    const b = await body(req)
    if (!b) return problem(res, 400, 'The body is not valid JSON.')
    if (!b.email || !/@/.test(b.email)) return problem(res, 400, 'email is not an email address', 'email')
    if (users.has(b.email)) return problem(res, 409, 'An account with this email already exists.', 'email')
    if (!b.password || b.password.length < 8) return problem(res, 400, 'password is too short; the minimum is 8', 'password')
    return session(res, addUser(b.email, b.password, b.name, 'customer'), 201)
  }
  if (p === '/api/auth/login' && m === 'POST') {
    const b = await body(req)
    const u = users.get(b?.email)
    if (!u || u.password !== b.password) return problem(res, 401, 'The email or password is wrong.')
    return session(res, u, 200)
  }
  if (p === '/api/auth/logout' && m === 'POST') {
    res.writeHead(204, { 'set-cookie': 'rivulet_session=; Path=/; Max-Age=0' })
    return res.end()
  }
  if (p === '/api/auth/me') return me ? json(res, 200, pub(me)) : problem(res, 401, 'Not signed in.')
  if (p === '/api/categories') return json(res, 200, { items: categories })
  if (p === '/api/products') {
    const s = (url.searchParams.get('search') ?? '').toLowerCase()
    const c = url.searchParams.get('category') ?? ''
    const limit = Number(url.searchParams.get('limit') ?? 12)
    const from = Number(url.searchParams.get('cursor') ?? 0)
    const all = products.filter((x) => (!s || x.name.toLowerCase().includes(s)) && (!c || x.category.toLowerCase() === c))
    const items = all.slice(from, from + limit)
    return json(res, 200, { items, nextCursor: from + limit < all.length ? String(from + limit) : null })
  }
  let r
  if ((r = /^\/api\/products\/([^/]+)$/.exec(p))) {
    const x = products.find((y) => y.id === decodeURIComponent(r[1]))
    return x ? json(res, 200, x) : problem(res, 404, 'No product with this id.')
  }
  if (p === '/api/events' && m === 'POST') return json(res, 202, {})
  if (p === '/api/analytics/summary') {
    if (me?.role !== 'admin') return problem(res, me ? 403 : 401, 'Administrators only.')
    return json(res, 200, summary(url.searchParams.get('range') ?? '5m'))
  }
  if (!me) return problem(res, 401, 'Please sign in.')
  if (p === '/api/orders' && m === 'POST') {
    const b = await body(req)
    if (!b?.items?.length) return problem(res, 400, 'items must not be empty', 'items')
    if (b.shippingAddress?.postalCode === '00000') return problem(res, 400, 'We do not deliver to postal code 00000.', 'shippingAddress.postalCode')
    const items = b.items.map((i) => {
      const x = products.find((y) => y.id === i.productId)
      return { productId: i.productId, name: x?.name ?? '?', quantity: i.quantity, unitPrice: x?.price ?? 0, lineTotal: (x?.price ?? 0) * i.quantity }
    })
    const at = now()
    const o = {
      id: `o-${randomUUID().slice(0, 12)}`, customerId: me.id, customerName: me.name, customerEmail: me.email, status: 'PLACED', items,
      total: items.reduce((a, i) => a + i.lineTotal, 0), currency: 'EUR', shippingAddress: b.shippingAddress,
      createdAt: at, updatedAt: at, history: [{ status: 'PLACED', at }],
    }
    // Like the real flow, the row shows up a moment after the 202, then gets confirmed.
    setTimeout(() => {
      orders.set(o.id, o)
      setTimeout(() => setStatus(o, 'CONFIRMED'), 900)
    }, 300)
    return json(res, 202, { id: o.id, status: 'PLACED' }, { location: `/api/orders/${o.id}` })
  }
  if (p === '/api/orders') {
    const st = url.searchParams.get('status')
    const items = [...orders.values()].filter((o) => o.customerId === me.id && (!st || o.status === st)).reverse()
    return json(res, 200, { items, nextCursor: null })
  }
  if ((r = /^\/api\/orders\/([^/]+)(\/cancel)?$/.exec(p))) {
    const o = orders.get(decodeURIComponent(r[1]))
    if (!o || (o.customerId !== me.id && me.role !== 'admin')) return problem(res, 404, 'No order with this id.')
    if (r[2] && m === 'POST') {
      if (!['PLACED', 'CONFIRMED'].includes(o.status)) return problem(res, 409, 'The order has shipped and can no longer be cancelled.')
      setStatus(o, 'CANCELLED', 'cancelled by the customer')
    }
    return json(res, 200, o)
  }
  if (me.role !== 'admin') return problem(res, 403, 'Administrators only.')
  if (p === '/api/admin/orders') {
    const st = url.searchParams.get('status')
    const cu = url.searchParams.get('customerId')
    const em = url.searchParams.get('customerEmail')?.toLowerCase()
    const items = [...orders.values()]
      .filter((o) => (!st || o.status === st) && (!cu || o.customerId === cu) && (!em || o.customerEmail === em)).reverse()
    return json(res, 200, { items, nextCursor: null })
  }
  if ((r = /^\/api\/admin\/customers\/([^/]+)$/.exec(p))) {
    const c = [...users.values()].find((u) => u.id === decodeURIComponent(r[1]))
    if (!c) return problem(res, 404, 'No customer with this id.')
    const theirs = [...orders.values()].filter((o) => o.customerId === c.id)
    return json(res, 200, { customer: pub(c), orderCount: theirs.length, orders: theirs.slice(-100).reverse() })
  }
  if ((r = /^\/api\/admin\/orders\/([^/]+)\/status$/.exec(p)) && m === 'POST') {
    const o = orders.get(decodeURIComponent(r[1]))
    if (!o) return problem(res, 404, 'No order with this id.')
    const b = await body(req)
    setTimeout(() => setStatus(o, b.status), 200)
    return json(res, 202, { id: o.id, status: b.status })
  }
  if (p === '/api/admin/products/low-stock') {
    const threshold = Number(url.searchParams.get('threshold') ?? 10)
    const limit = Number(url.searchParams.get('limit') ?? 10)
    const low = products.filter((x) => x.stock <= threshold)
      .sort((a, b) => a.stock - b.stock || a.name.localeCompare(b.name))
    return json(res, 200, { items: low.slice(0, limit), total: low.length, threshold })
  }
  if ((r = /^\/api\/admin\/products\/([^/]+)\/restock$/.exec(p)) && m === 'POST') {
    const x = products.find((y) => y.id === decodeURIComponent(r[1]))
    if (!x) return problem(res, 404, 'No product with this id.')
    const b = await body(req)
    if (!Number.isInteger(b?.quantity) || b.quantity < 1 || b.quantity > 1000000) {
      return problem(res, 400, 'quantity must be an integer from 1 to 1000000', 'quantity')
    }
    x.stock += b.quantity
    return json(res, 200, x)
  }
  return problem(res, 404, `No route for ${m} ${p}`)
}

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' }
function serveStatic(req, res, url) {
  let file = normalize(join(dist, decodeURIComponent(url.pathname)))
  if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) file = join(dist, 'index.html')
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
  createReadStream(file).pipe(res)
}

export function startFake(port = 5180) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x')
    if (url.pathname.startsWith('/api/')) handleApi(req, res, url).catch((e) => problem(res, 500, String(e)))
    else serveStatic(req, res, url)
  })
  const wss = new WebSocketServer({ server, path: '/ws' })
  wss.on('connection', (ws, req) => {
    const u = userOf(req)
    const mine = new Set()
    ws.on('message', (raw) => {
      let msg
      try { msg = JSON.parse(String(raw)) } catch { return }
      if (msg.op === 'ping') return ws.send(JSON.stringify({ op: 'pong' }))
      const t = msg.topic
      const allowed = u && (u.role === 'admin' || t === `orders/${u.id}`)
      if (msg.op === 'subscribe') {
        if (!allowed) return ws.send(JSON.stringify({ op: 'error', topic: t, detail: 'not allowed' }))
        if (!subs.has(t)) subs.set(t, new Set())
        subs.get(t).add(ws)
        mine.add(t)
        ws.send(JSON.stringify({ op: 'subscribed', topic: t }))
      } else if (msg.op === 'unsubscribe') {
        subs.get(t)?.delete(ws)
        mine.delete(t)
      }
    })
    ws.on('close', () => { for (const t of mine) subs.get(t)?.delete(ws) })
  })
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, wss, url: `http://127.0.0.1:${server.address().port}` })))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await startFake(Number(process.argv[2] ?? 5180))
  console.log(`fake rivulet (dev only) on ${url}  admin: admin@example.com / adminadmin`)
}
