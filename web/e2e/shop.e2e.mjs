// End-to-end test of the shop in a real browser against a running Rivulet
// that serves this build (web/dist) and the /api/ and /ws of docs/api.md.
//
//   RIVULET_URL=http://127.0.0.1:8080 node e2e/shop.e2e.mjs
//
// 1. A customer signs up, adds a product to the cart (which survives a reload),
//    checks out, and sees the order page turn from PLACED to CONFIRMED without
//    a reload (the script reports whether a WebSocket frame carried it).
// 2. A second customer cannot see the first one's order: the order page says it
//    was not found, GET /api/orders/{id} answers 404, and their list is empty.
// Env: RIVULET_URL (required), SCREENSHOT_DIR (default <repo>/build/e2e-screenshots),
//      PHONE=1 for a phone-size run, CHROMIUM_PATH (default /usr/bin/chromium).
// Exit code 0 on success; on failure it prints the step and saves a screenshot.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { checkAccessibility } from './a11y.mjs'
import { launch, PHONE } from './browser.mjs'
import { addFirstProductToCart, baseUrl, checkout, describeFailure, firstPage, newCustomer, seesStatus, signUp } from './steps.mjs'

const base = baseUrl()
const phone = process.env.PHONE === '1'
const shots = process.env.SCREENSHOT_DIR ?? fileURLToPath(new URL('../../build/e2e-screenshots/', import.meta.url))
mkdirSync(shots, { recursive: true })
const tag = phone ? 'phone' : 'desktop'

let step = 'start'
const log = (s) => {
  step = s
  console.log(`- ${s}`)
}

const alice = newCustomer('Alice')
const bob = newCustomer('Bob')
const b1 = await launch(phone ? PHONE : {})
const b2 = await launch(phone ? PHONE : {})
let page = await firstPage(b1.context)
try {
  const pageErrors = []
  page.on('pageerror', (e) => pageErrors.push(String(e)))
  const wsFrames = []
  page.on('websocket', (ws) => ws.on('framereceived', (f) => wsFrames.push(String(f.payload))))

  log('the shop lists products')
  await page.goto(`${base}/`)
  await page.getByRole('heading', { name: 'Shop' }).waitFor()
  await page.locator('.pcard').first().waitFor()
  await page.screenshot({ path: `${shots}/${tag}-shop.png`, fullPage: true })
  await checkAccessibility(page, `${tag} shop`)

  log('a new customer signs up')
  await signUp(page, base, alice)

  log('adds a product to the cart')
  await addFirstProductToCart(page, base)
  await page.screenshot({ path: `${shots}/${tag}-product.png`, fullPage: true })
  await checkAccessibility(page, `${tag} product`)

  log('the cart survives a reload')
  await page.goto(`${base}/cart`)
  await page.reload()
  await page.locator('.line').first().waitFor()
  await page.screenshot({ path: `${shots}/${tag}-cart.png`, fullPage: true })
  await checkAccessibility(page, `${tag} cart`)

  log('checks out')
  const loads = []
  page.on('load', () => loads.push(page.url()))
  const orderId = await checkout(page, base)
  assert.ok(orderId, 'order id in the URL')
  loads.length = 0 // the checkout navigation itself

  log('sees CONFIRMED without a reload')
  await seesStatus(page, 'CONFIRMED')
  assert.deepEqual(loads, [], 'the page was not reloaded')
  await page.screenshot({ path: `${shots}/${tag}-order-confirmed.png`, fullPage: true })
  await checkAccessibility(page, `${tag} order-confirmed`)
  const viaWs = wsFrames.some((f) => f.includes(orderId) && f.includes('CONFIRMED'))
  console.log(`  confirmation arrived ${viaWs ? 'over the WebSocket' : 'by polling (no WebSocket frame carried it)'}`)

  log('the order is in "My orders"')
  await page.getByRole('link', { name: 'My orders' }).click()
  await page.locator('.order-card').filter({ hasText: orderId }).waitFor()
  await page.screenshot({ path: `${shots}/${tag}-orders.png`, fullPage: true })
  await checkAccessibility(page, `${tag} orders`)
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page')

  log('a second customer cannot see the first one’s order')
  page = await firstPage(b2.context)
  await signUp(page, base, bob)
  await page.goto(`${base}/orders/${encodeURIComponent(orderId)}`)
  await page.getByText('We could not find that order').waitFor()
  const status = await page.evaluate(async (id) => (await fetch(`/api/orders/${encodeURIComponent(id)}`, { credentials: 'include' })).status, orderId)
  assert.equal(status, 404, 'GET /api/orders/{id} of another customer')
  await page.goto(`${base}/orders`)
  await page.getByText('You have not ordered anything yet').waitFor()
  await page.screenshot({ path: `${shots}/${tag}-other-customer.png`, fullPage: true })
  await checkAccessibility(page, `${tag} other-customer`)

  console.log(`PASS shop e2e (${tag}) against ${base}; order ${orderId}; screenshots in ${shots}`)
} catch (e) {
  console.error(`FAIL at step "${step}": ${e?.message ?? e}`)
  await describeFailure(page)
  await page.screenshot({ path: `${shots}/${tag}-FAILED.png`, fullPage: true }).catch(() => {})
  process.exitCode = 1
} finally {
  await b1.close()
  await b2.close()
}
