// Browser steps shared by the e2e scripts; each waits for its visible result.
export const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 15000)

export function baseUrl() {
  const base = (process.env.RIVULET_URL ?? '').replace(/\/+$/, '')
  if (!base) {
    console.error('Set RIVULET_URL, e.g. RIVULET_URL=http://127.0.0.1:8080')
    process.exit(2)
  }
  return base
}

export function newCustomer(name) {
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
  return { name: `${name} E2E`, email: `${name.toLowerCase()}-${tag}@example.com`, password: `${name}-password-1` }
}

export async function firstPage(context) {
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(TIMEOUT)
  return page
}

export async function signUp(page, base, who) {
  await page.goto(`${base}/signup`)
  await page.getByLabel('Name').fill(who.name)
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
}

export async function signIn(page, base, who, next = '/') {
  await page.goto(`${base}/signin?next=${encodeURIComponent(next)}`)
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'Sign out' }).waitFor()
}

/** Opens the first product with stock from the shop and adds one to the cart. */
export async function addFirstProductToCart(page, base) {
  await page.goto(`${base}/`)
  const card = page.locator('.pcard').filter({ has: page.getByRole('button', { name: /^Add to cart ./ }) }).first()
  await card.locator('.pcard__link').click()
  await page.getByRole('button', { name: 'Add to cart' }).click()
  await page.getByText('Added to your cart').waitFor()
}

export async function fillAddress(page) {
  await page.getByLabel(/^Address( \*)?$/).fill('1 Test Street')
  await page.getByLabel(/Postal code/).fill('10115')
  await page.getByLabel(/City/).fill('Berlin')
  await page.getByLabel(/Country/).selectOption('DE')
}

/** From the cart page: checks out and returns the new order's id (the page is then on /orders/:id). */
export async function checkout(page, base) {
  await page.goto(`${base}/checkout`)
  await page.getByRole('heading', { name: 'Checkout' }).waitFor()
  await fillAddress(page)
  await page.getByRole('button', { name: 'Place order' }).click()
  await page.waitForURL(/\/orders\/[^/]+$/)
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop())
}

/** Waits until the order page's headline badge shows `status`. */
export async function seesStatus(page, status, timeout = TIMEOUT) {
  await page.locator(`.confirm [data-status="${status}"]`).waitFor({ timeout })
}
