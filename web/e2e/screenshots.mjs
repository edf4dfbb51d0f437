// DEV ONLY: clicks through the built UI against the in-memory fake API
// (fake-rivulet.mjs) and saves desktop and phone screenshots of each main page
// for a person to look at. Not a test of Rivulet.
//   npm run build && node e2e/screenshots.mjs [outDir]   (default /tmp/rivulet-shots)
import { mkdirSync } from 'node:fs'
import { launch, PHONE } from './browser.mjs'
import { startFake } from './fake-rivulet.mjs'

const out = process.argv[2] ?? '/tmp/rivulet-shots'
mkdirSync(out, { recursive: true })
const { url, server, wss } = await startFake(0)

async function run(name, opts) {
  const b = await launch(opts)
  const page = b.context.pages()[0] ?? (await b.context.newPage())
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
  const shot = async (what) => {
    await page.waitForTimeout(250)
    await page.screenshot({ path: `${out}/${name}-${what}.png`, fullPage: what !== 'dashboard' || name === 'phone' })
    console.log(`${out}/${name}-${what}.png`)
  }
  try {
    await page.goto(url + '/')
    await page.getByRole('heading', { name: 'Shop' }).waitFor()
    await page.locator('.pcard').first().waitFor()
    await shot('shop')
    await page.getByRole('link', { name: /Kenya AA/ }).click()
    await page.getByRole('heading', { name: 'Kenya AA' }).waitFor()
    await page.getByLabel('Quantity').fill('2')
    await page.getByRole('button', { name: 'Add to cart', exact: true }).click()
    await shot('product')
    await page.goto(url + '/')
        await page.getByRole('button', { name: 'Add to cart Ethiopia Yirgacheffe' }).click()
    await page.getByRole('link', { name: /^Cart/ }).click()
    await page.getByRole('heading', { name: 'Your cart' }).waitFor()
    await shot('cart')
    await page.goto(url + '/signup?next=/checkout')
    await page.getByLabel('Name').fill('Ada Lovelace')
    await page.getByLabel('Email').fill(`ada-${Date.now()}-${name}@example.com`)
    await page.getByLabel('Password').fill('correct horse')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'Checkout' }).waitFor()
    await page.getByRole('button', { name: 'Place order' }).click()
    await shot('checkout-errors')
    await page.getByLabel(/^Address( \*)?$/).fill('12 Harbour Street')
    await page.getByLabel(/Postal code/).fill('D02 X285')
    await page.getByLabel(/City/).fill('Dublin')
    await page.getByLabel(/Country/).selectOption('IE')
    await shot('checkout')
    await page.getByRole('button', { name: 'Place order' }).click()
    await page.locator('[data-status="PLACED"]').first().waitFor()
    await shot('order-placed')
    await page.locator('.confirm [data-status="CONFIRMED"]').waitFor({ timeout: 10000 })
    await shot('order-confirmed')
    await page.getByRole('link', { name: 'My orders' }).click()
    await page.getByRole('heading', { name: 'My orders' }).waitFor()
    await page.locator('.order-card').first().waitFor()
    await shot('orders')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.goto(url + '/signin?next=/admin')
    await page.getByLabel('Email').fill('admin@example.com')
    await page.getByLabel('Password').fill('adminadmin')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Live dashboard' }).waitFor()
    await page.locator('.kpi').first().waitFor()
    await page.waitForTimeout(2500)
    await shot('dashboard')
    await page.getByRole('link', { name: 'Orders', exact: true }).click()
    await page.locator('table').waitFor()
    await shot('admin-orders')
  } finally {
    if (errors.length) console.log(`${name}: page errors:\n  ${errors.join('\n  ')}`)
    await b.close()
  }
}

try {
  await run('desktop', {})
  await run('phone', PHONE)
} finally {
  wss.close()
  server.close()
}
