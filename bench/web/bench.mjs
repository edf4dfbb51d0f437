// The measurements behind bench/web/run.sh (which starts Rivulet and sets the
// environment): RIVULET_URL, ADMIN_EMAIL, ADMIN_PASSWORD, RUNS,
// SECONDS_UNDER_LOAD, RATE, LOAD_CMD. Prints a table per measurement with
// Rivulet's figure, the baseline measured in the same run, and the ratio.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { launch } from '../../web/e2e/browser.mjs'

const base = process.env.RIVULET_URL
const runs = Number(process.env.RUNS ?? 7)
const underLoad = Number(process.env.SECONDS_UNDER_LOAD ?? 20)
const admin = { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD }

const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] }
const med = (xs) => q(xs, 0.5)
const f = (v, d = 0) => (v == null ? '—' : v.toFixed(d))
const row = (...cells) => console.log(cells.map((c, i) => String(c).padEnd(i ? 14 : 44)).join(''))

// --- bundle sizes -------------------------------------------------------------
function bundles() {
  const dist = new URL('../../web/dist/', import.meta.url)
  const html = readFileSync(new URL('index.html', dist), 'utf8')
  const gz = (file) => gzipSync(readFileSync(new URL(file.replace(/^\//, ''), dist)), { level: 9 }).length
  const first = ['index.html', ...[...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1])]
  const shop = first.reduce((n, file) => n + gz(file), 0)
  const assets = readdirSync(new URL('assets/', dist))
  const chunk = (prefix) => assets.filter((a) => a.startsWith(prefix)).reduce((n, a) => n + gz(`assets/${a}`), 0)
  console.log('\n== Bundle sizes (gzip -9 of web/dist)')
  row('', 'KB gzip', 'target', 'ratio')
  row(`shop first load (${first.length} files)`, f(shop / 1000, 1), '300', f(shop / 1000 / 300, 2))
  for (const [name, prefix] of [['dashboard chunk + CSS (incl. uPlot)', 'dashboard-page-'], ['admin orders chunk', 'admin-orders-page-'],
    ['operations console chunk + CSS', 'console-routes-']]) row(name, f(chunk(prefix) / 1000, 1), '', '')
}

// --- cold loads -----------------------------------------------------------------
// Installed before any page script: records long tasks and when `selector` first
// matches (so "interactive" is taken in the page's own clock, from navigation start).
const probe = (selector) => `
  window.__bench = { longTasks: [], seenAt: null };
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__bench.longTasks.push([e.startTime, e.startTime + e.duration]) })
        .observe({ type: 'longtask', buffered: true }) } catch {}
  const mark = () => { if (window.__bench.seenAt == null && document.querySelector(${JSON.stringify(selector)})) window.__bench.seenAt = performance.now() };
  new MutationObserver(mark).observe(document, { subtree: true, childList: true, attributes: true });`

// One cold load in a fresh profile. Interactive = the `ready` element is on
// screen (React rendered it with its handlers) and no long task runs after it.
async function coldLoad(path, ready, signIn = false) {
  const b = await launch()
  try {
    const page = b.context.pages()[0] ?? (await b.context.newPage())
    if (signIn) {
      const r = await page.request.post(`${base}/api/auth/login`, { data: admin })
      if (!r.ok()) throw new Error(`admin sign-in: ${r.status()}`)
    }
    if (ready) await page.addInitScript(probe(ready))
    await page.goto(`${base}${path}`)
    if (ready) await page.locator(ready).first().waitFor({ timeout: 30_000 })
    await page.waitForTimeout(1000)  // let trailing long tasks show up
    return await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0]
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null
      const b = window.__bench
      if (!b) return { fcp, tti: fcp ?? n.domInteractive }
      const after = b.longTasks.filter(([, end]) => end > b.seenAt).map(([, end]) => end)
      return { fcp, seen: b.seenAt, tti: Math.max(b.seenAt, ...after) }
    })
  } finally {
    await b.close()
  }
}

async function coldLoads() {
  console.log(`\n== Cold load in ${'/usr/bin/chromium'} (fresh profile each, ${runs} runs; ms from navigation start)`)
  const floor = [], shop = [], dash = []
  for (let i = 0; i < runs; i++) {
    floor.push(await coldLoad('/healthz', null))
    shop.push(await coldLoad('/', '.pcard .btn:not([disabled])'))
    dash.push(await coldLoad('/admin', '.chart__plot canvas', true))
  }
  const floorFcp = med(floor.map((r) => r.tti))
  row('', 'p50', 'max', 'floor p50', 'ratio p50')
  row('floor: one-line /healthz, first paint', f(floorFcp), f(Math.max(...floor.map((r) => r.tti))), '', '')
  for (const [name, rs] of [['shop: first product card interactive', shop], ['dashboard: KPIs and first chart drawn', dash]]) {
    const t = rs.map((r) => r.tti)
    row(name, f(med(t)), f(Math.max(...t)), f(floorFcp), f(med(t) / floorFcp, 1))
  }
  row('shop: first contentful paint', f(med(shop.map((r) => r.fcp))), f(Math.max(...shop.map((r) => r.fcp))), '', '')
  const shopMax = Math.max(...shop.map((r) => r.tti))
  console.log(`shop interactive under 1 s in every run: ${shopMax < 1000 ? 'yes' : 'NO'} (worst ${f(shopMax)} ms)`)
}

// --- frames under load --------------------------------------------------------------
// rAF intervals for `secs` seconds, plus per-second frame counts and DOM updates of `watch`.
const frames = (secs, watch) => `(async () => {
  const ts = [], perSecond = []; let updates = 0
  const el = ${JSON.stringify(watch)} && document.querySelector(${JSON.stringify(watch)})
  const mo = new MutationObserver(() => updates++); if (el) mo.observe(el, { subtree: true, childList: true, characterData: true })
  let last = performance.now(), second = last, count = 0; const end = last + ${secs} * 1000
  await new Promise((done) => { const tick = (t) => { ts.push(t - last); last = t; count++
    if (t - second >= 1000) { perSecond.push(count); count = 0; second = t }
    if (t < end) requestAnimationFrame(tick); else done() }; requestAnimationFrame(tick) })
  mo.disconnect(); return { ts, perSecond, updates } })()`

async function underLoadFrames() {
  const [cmd, ...args] = process.env.LOAD_CMD.split(' ')
  console.log(`\n== Frames under load: ${process.env.LOAD_CMD.replace(/ -s .*/, ' (paced_orders.lua)')}, target ${process.env.RATE} orders/s`)
  const load = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: process.env })
  let out = ''
  load.stdout.on('data', (d) => { out += d })
  const accepted = async () => {
    const r = await fetch(`${base}/metrics`).then((x) => x.text()).catch(() => '')
    return r.split('\n').filter((l) => l.startsWith('rivulet_http_requests_total') && l.includes('route="/api/orders",method="POST",status="202"'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0)
  }
  const b = await launch()
  try {
    const page = b.context.pages()[0] ?? (await b.context.newPage())
    await page.request.post(`${base}/api/auth/login`, { data: admin })
    await page.waitForTimeout(3000)  // load ramps up
    const a0 = await accepted(), t0 = Date.now()
    await page.goto('about:blank')
    const blank = await page.evaluate(frames(underLoad, null))
    await page.goto(`${base}/admin`)
    await page.locator('.chart__plot canvas').first().waitFor({ timeout: 30_000 })
    await page.waitForTimeout(1000)
    const dash = await page.evaluate(frames(underLoad, '.kpis'))
    const rate = (await accepted() - a0) / ((Date.now() - t0) / 1000)
    row('', 'p50 ms', 'p99 ms', 'max ms', 'min fps')
    const line = (name, r) => row(name, f(q(r.ts, 0.5), 1), f(q(r.ts, 0.99), 1), f(Math.max(...r.ts), 1), Math.min(...r.perSecond))
    line('baseline: blank page, same load', blank)
    line('dashboard with 1-second updates', dash)
    console.log(`ratio dashboard/blank: p50 ${f(q(dash.ts, 0.5) / q(blank.ts, 0.5), 2)}, p99 ${f(q(dash.ts, 0.99) / q(blank.ts, 0.99), 2)}; ` +
      `KPI updates seen: ${dash.updates} in ${underLoad} s; never below 30 fps: ${Math.min(...dash.perSecond) >= 30 ? 'yes' : 'NO'}`)
    console.log(`orders accepted during the measurement: ${rate > 0 ? f(rate) + '/s' : 'see wrk below'} (target ${process.env.RATE}/s)`)
  } finally {
    await b.close()
    load.kill('SIGINT')
    await new Promise((done) => load.on('exit', done))
    const rps = /Requests\/sec:\s*([\d.]+)/.exec(out)
    if (rps) console.log(`load generator: ${f(Number(rps[1]))} requests/s over its run`)
  }
}

bundles()
await coldLoads()
await underLoadFrames()
