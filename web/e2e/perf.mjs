// Measures, in a real browser: the shop's cold-load timings (until the first
// product card is on screen) and the dashboard's frame rate while it receives
// its per-second analytics updates. Prints figures; asserts nothing.
//
//   RIVULET_URL=http://127.0.0.1:8080 ADMIN_EMAIL=... ADMIN_PASSWORD=... node e2e/perf.mjs
//   node e2e/perf.mjs --fake      (DEV ONLY: against the in-memory fake API)
import { launch } from './browser.mjs'

let base = (process.env.RIVULET_URL ?? '').replace(/\/+$/, '')
let admin = { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD }
let fake
if (process.argv.includes('--fake')) {
  const { startFake } = await import('./fake-rivulet.mjs')
  fake = await startFake(0)
  base = fake.url
  admin = { email: 'admin@example.com', password: 'adminadmin' }
}
if (!base) {
  console.error('Set RIVULET_URL (and ADMIN_EMAIL, ADMIN_PASSWORD), or pass --fake')
  process.exit(2)
}
const seconds = Number(process.env.PERF_SECONDS ?? 15)

const b = await launch()
try {
  const page = b.context.pages()[0] ?? (await b.context.newPage())
  const t0 = Date.now()
  await page.goto(`${base}/`)
  await page.locator('.pcard').first().waitFor()
  const wall = Date.now() - t0
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0]
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]
    const bytes = performance.getEntriesByType('resource').reduce((a, r) => a + (r.transferSize || 0), n.transferSize || 0)
    return { domInteractive: n.domInteractive, domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd, fcp: fcp?.startTime, bytes }
  })
  console.log(`shop cold load: first product card after ${wall} ms (wall clock from goto)`)
  console.log(`  domInteractive ${nav.domInteractive.toFixed(0)} ms, DOMContentLoaded ${nav.domContentLoaded.toFixed(0)} ms, load ${nav.load.toFixed(0)} ms, first contentful paint ${nav.fcp?.toFixed(0)} ms, transferred ${(nav.bytes / 1024).toFixed(1)} KiB`)

  if (admin.email && admin.password) {
    await page.goto(`${base}/signin?next=/admin`)
    await page.getByLabel('Email').fill(admin.email)
    await page.getByLabel('Password').fill(admin.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    const t1 = Date.now()
    await page.locator('.kpi').first().waitFor()
    await page.locator('.chart__plot canvas').first().waitFor()
    console.log(`dashboard: KPI tiles and charts on screen ${Date.now() - t1} ms after sign-in`)
    const r = await page.evaluate(async (secs) => {
      const frames = []
      let updates = 0
      const tile = document.querySelector('.kpi__sub')
      const mo = new MutationObserver(() => updates++)
      if (tile) mo.observe(document.querySelector('.kpis'), { subtree: true, characterData: true, childList: true })
      let last = performance.now()
      const end = last + secs * 1000
      await new Promise((done) => {
        const tick = (t) => {
          frames.push(t - last)
          last = t
          if (t < end) requestAnimationFrame(tick)
          else done()
        }
        requestAnimationFrame(tick)
      })
      mo.disconnect()
      frames.sort((a, b) => a - b)
      const pct = (p) => frames[Math.min(frames.length - 1, Math.floor(frames.length * p))]
      return { n: frames.length, fps: frames.length / secs, p50: pct(0.5), p99: pct(0.99), max: frames[frames.length - 1], updates }
    }, seconds)
    console.log(`dashboard over ${seconds} s: ${r.fps.toFixed(1)} frames/s, frame time p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms; KPI DOM mutations: ${r.updates}`)
  }
} finally {
  await b.close()
  if (fake) { fake.wss.close(); fake.server.close() }
}
