// End-to-end test of the shop in a real browser against a running Rivulet
// that serves this build (web/dist) and the /api/ and /ws of docs/api.md.
//
//   RIVULET_URL=http://127.0.0.1:8080 node e2e/shop.e2e.mjs
//
// 1. A customer signs up, adds a product to the cart, checks out, and sees the
//    order page turn from PLACED to CONFIRMED without a reload (over /ws, or
//    the page's polling fallback while the socket is down; the test records which).
// 2. A second customer cannot see the first one's order: the order page says it
//    was not found, GET /api/orders/{id} answers 404, and their list is empty.
// Env: RIVULET_URL (required), SCREENSHOT_DIR (default <repo>/build/e2e-screenshots),
//      PHONE=1 to run at phone size, CHROMIUM_PATH (default /usr/bin/chromium).
// Exit code 0 on success; on failure it prints the step and saves a screenshot.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { launch, PHONE } from './browser.mjs'

const base = (process.env.RIVULET_URL ?? '').replace(/\/+$/, '')
if (!base) {
  console.error('Set RIVULET_URL, e.g. RIVULET_URL=http://127.0.0.1:8080 node e2e/shop.e2e.mjs')
  process.exit(2)
}
const phone = process.env.PHONE === '1'
const shots = process.env.SCREENSHOT_DIR ?? fileURLToPath(new URL('../../build/e2e-screenshots/', import.meta.url))
mkdirSync(shots, { recursive: true })
const tag = phone ? 'phone' : 'desktop'
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 15000)

let step = 'start'
const log = (s) => {
  step = s
  console.log(`- ${s}`)
}

async function signUp(page, who) {
  await page.goto(`${base}/signup`)
  await page.getByLabel('Name').fill(who.name)
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: TIMEOUT })
}

const run = Date.now().toString(36)
const alice = { name: 'Alice E2E', email: `alice-${run}@example.com`, password: 'alice-password-1' }
const bob = { name: 'Bob E2E', email: `bob-${run}@example.com`, password: 'bob-password-1' }

const b1 = await launch(phone ? PHONE : {})
const b2 = await launch(phone ? PHONE : {})
let page = b1.context.pages()[0] ?? (await b1.context.newPage())
let orderId = ''
try {
  page.setDefaultTimeout(TIMEOUT)
  const pageErrors = []
  page.on('pageerror', (e) => pageErrors.push(String(e)))
  const wsFrames = []
  page.on('websocket', (ws) => ws.on('framereceived', (f) => wsFrames.push(String(f.payload))))

  log('the shop lists products')
  await page.goto(`${base}/`)
  await page.getByRole('heading', { name: 'Shop' }).waitFor()
  await page.locator('.pcard').first().waitFor()
  await page.screenshot({ path: `${shots}/${tag}-shop.png`, fullPage: true })

  log('a new customer signs up')
  await signUp(page, alice)

  log('opens the first product that is in stock and adds it to the cart')
  await page.goto(`${base}/`)
  const card = page.locator('.pcard').filter({ has: page.getByRole('button', { name: /^Add .* to cart$/ }) }).first()
  await card.locator('.pcard__link').click()
  await page.getByRole('button', { name: 'Add to cart' }).click()
  await page.getByText('Added to your cart').waitFor()
  await page.screenshot({ path: `${shots}/${tag}-product.png`, fullPage: true })

  log('the cart survives a reload')
  await page.goto(`${base}/cart`)
  await page.reload()
  await page.locator('.line').first().waitFor()
  await page.screenshot({ path: `${shots}/${tag}-cart.png`, fullPage: true })

  log('checks out with an address')
  await page.getByRole('link', { name: 'Checkout' }).click()
  await page.getByRole('heading', { name: 'Checkout' }).waitFor()
  await page.getByLabel(/^Address( \*)?$/).fill('1 Test Street')
  await page.getByLabel(/Postal code/).fill('10115')
  await page.getByLabel(/City/).fill('Berlin')
  await page.getByLabel(/Country/).selectOption('DE')
  await page.screenshot({ path: `${shots}/${tag}-checkout.png`, fullPage: true })
  const loads = []
  page.on('load', () => loads.push(page.url()))
  await page.getByRole('button', { name: 'Place order' }).click()

  log('lands on the order page')
  await page.waitForURL(/\/orders\/[^/]+$/)
  orderId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop())
  assert.ok(orderId, 'order id in the URL')

  log('sees CONFIRMED without a reload')
  await page.locator('.confirm [data-status="CONFIRMED"]').waitFor({ timeout: TIMEOUT })
  assert.deepEqual(loads, [], 'the page was not reloaded')
  await page.screenshot({ path: `${shots}/${tag}-order-confirmed.png`, fullPage: true })
  const viaWs = wsFrames.some((f) => f.includes(orderId) && f.includes('CONFIRMED'))
  console.log(`  confirmation arrived ${viaWs ? 'over the WebSocket' : 'by polling (no WebSocket frame carried it)'}`)

  log('the order is in "My orders"')
  await page.getByRole('link', { name: 'My orders' }).click()
  await page.locator('.order-card').filter({ hasText: orderId }).waitFor()
  await page.screenshot({ path: `${shots}/${tag}-orders.png`, fullPage: true })
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page')

  log('a second customer cannot see the first one’s order')
  const page2 = b2.context.pages()[0] ?? (await b2.context.newPage())
  page2.setDefaultTimeout(TIMEOUT)
  page = page2
  await signUp(page2, bob)
  await page2.goto(`${base}/orders/${encodeURIComponent(orderId)}`)
  await page2.getByText('We could not find that order').waitFor()
  const status = await page2.evaluate(async (id) => (await fetch(`/api/orders/${encodeURIComponent(id)}`, { credentials: 'include' })).status, orderId)
  assert.equal(status, 404, 'GET /api/orders/{id} of another customer')
  await page2.goto(`${base}/orders`)
  await page2.getByText('You have not ordered anything yet').waitFor()
  await page2.screenshot({ path: `${shots}/${tag}-other-customer.png`, fullPage: true })

  console.log(`PASS shop e2e (${tag}) against ${base}; order ${orderId}; screenshots in ${shots}`)
} catch (e) {
  console.error(`FAIL at step "${step}": ${e?.message ?? e}`)
  await page.screenshot({ path: `${shots}/${tag}-FAILED.png`, fullPage: true }).catch(() => {})
  process.exitCode = 1
} finally {
  await b1.close()
  await b2.close()
}
