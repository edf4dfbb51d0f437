// End-to-end test of the admin side against a running Rivulet:
// the dashboard's counters move while orders flow (a customer orders during the
// test; `rivulet loadgen` running alongside only makes them move more), the
// admin ships the customer's order from the orders table, and the customer's
// open order page shows SHIPPED live, without a reload. The admin's sign-in
// is answered before the page's first /api/auth/me (a race CI once lost).
// Then the admin tours the operations console (e2e/console.mjs): streams with
// a live tail, functions, a table query, objects (with AWS_URL: a seeded
// bucket and a download), the email outbox and IAM, with a screenshot of each
// page.
//
//   RIVULET_URL=http://127.0.0.1:8080 ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD=... node e2e/admin.e2e.mjs
// Env as shop.e2e.mjs, plus ADMIN_EMAIL and ADMIN_PASSWORD (required) and AWS_URL (optional,
// the S3 endpoint, e.g. http://127.0.0.1:4566).
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { launch } from './browser.mjs'
import { checkAccessibility } from './a11y.mjs'
import { consoleTour } from './console.mjs'
import { addFirstProductToCart, baseUrl, checkout, describeFailure, firstPage, newCustomer, seesStatus, signIn, signUp, slowFirstWhoAmI, TIMEOUT } from './steps.mjs'

const base = baseUrl()
const admin = { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD }
if (!admin.email || !admin.password) {
  console.error('Set ADMIN_EMAIL and ADMIN_PASSWORD')
  process.exit(2)
}
const shots = process.env.SCREENSHOT_DIR ?? fileURLToPath(new URL('../../build/e2e-screenshots/', import.meta.url))
mkdirSync(shots, { recursive: true })

let step = 'start'
const log = (s) => {
  step = s
  console.log(`- ${s}`)
}

const carol = newCustomer('Carol')
const ba = await launch()
const bc = await launch()
const adminPage = await firstPage(ba.context)
const customerPage = await firstPage(bc.context)
let current = adminPage
try {
  log('the admin opens the dashboard (the first /api/auth/me answering after the sign-in)')
  const stopHolding = await slowFirstWhoAmI(adminPage)
  await signIn(adminPage, base, admin, '/admin')
  await stopHolding()
  await adminPage.getByRole('heading', { name: 'Live dashboard' }).waitFor()
  // The "Orders / min" tile.
  const TILE = '.kpis .kpi:nth-child(2) .kpi__value'
  const tile = adminPage.locator(TILE)
  await tile.waitFor()
  const before = await tile.textContent()
  // The demo catalog starts with at least 40 of each product.
  await adminPage.getByText('Every product has more than 10 in stock.').waitFor()

  log('a customer places an order')
  current = customerPage
  await signUp(customerPage, base, carol)
  await addFirstProductToCart(customerPage, base)
  const orderId = await checkout(customerPage, base)
  await seesStatus(customerPage, 'CONFIRMED')

  log('the dashboard counter moves without a reload')
  current = adminPage
  await adminPage.waitForFunction(
    ([sel, old]) => document.querySelector(sel)?.textContent !== old,
    [TILE, before],
    { timeout: Math.max(TIMEOUT, 30000) },
  )
  console.log(`  "${before}" -> "${await tile.textContent()}"`)
  await adminPage.screenshot({ path: `${shots}/desktop-admin-dashboard.png`, fullPage: true })
  await checkAccessibility(adminPage, 'the dashboard')

  log('the admin ships the order from the orders table')
  const customerId = await customerPage.evaluate(async () => (await (await fetch('/api/auth/me')).json()).id)
  await adminPage.goto(`${base}/admin/orders?customerId=${encodeURIComponent(customerId)}`)
  const row = adminPage.locator('tr').filter({ hasText: orderId })
  await row.getByRole('button', { name: `Ship order ${orderId}` }).click()
  await row.locator('[data-status="SHIPPED"]').waitFor()
  await adminPage.screenshot({ path: `${shots}/desktop-admin-orders.png`, fullPage: true })
  await checkAccessibility(adminPage, 'the admin orders page')

  log('the customer’s open order page shows SHIPPED live')
  current = customerPage
  const loads = []
  customerPage.on('load', () => loads.push(customerPage.url()))
  await seesStatus(customerPage, 'SHIPPED')
  assert.deepEqual(loads, [], 'the customer page was not reloaded')
  await customerPage.screenshot({ path: `${shots}/desktop-order-shipped.png`, fullPage: true })

  log('the admin restocks a product from its page')
  current = adminPage
  const stockOf = (id) => adminPage.evaluate(async (pid) => (await (await fetch(`/api/products/${pid}`)).json()).stock, id)
  const stockBefore = await stockOf('p-050')
  await adminPage.goto(`${base}/products/p-050`)
  await adminPage.getByLabel('Add to stock').fill('7')
  await adminPage.getByRole('button', { name: 'Restock' }).click()
  await adminPage.getByText(`Restocked: ${stockBefore + 7} in stock.`).waitFor()
  assert.equal(await stockOf('p-050'), stockBefore + 7)
  await checkAccessibility(adminPage, 'a product page as admin')

  await consoleTour(adminPage, {
    base, shots, orderId, customerId, customerEmail: carol.email, awsUrl: process.env.AWS_URL,
    // An activity event from the customer lands on the `activity` stream with their id.
    postEvent: () => customerPage.evaluate(() => fetch('/api/events', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'page_view' }),
    }).then((r) => r.status)),
  }, log)

  console.log(`PASS admin e2e against ${base}; order ${orderId}`)
} catch (e) {
  console.error(`FAIL at step "${step}": ${e?.message ?? e}`)
  await describeFailure(current)
  await current.screenshot({ path: `${shots}/admin-FAILED.png`, fullPage: true }).catch(() => {})
  process.exitCode = 1
} finally {
  await ba.close()
  await bc.close()
}
