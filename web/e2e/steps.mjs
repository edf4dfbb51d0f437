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

const apiCalls = new WeakMap()  // page -> its last /api/ requests, for describeFailure

export async function firstPage(context) {
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(TIMEOUT)
  const calls = []
  apiCalls.set(page, calls)
  page.on('request', (request) => {
    if (!new URL(request.url()).pathname.startsWith('/api/')) return
    const call = { request, started: Date.now(), outcome: 'no answer yet' }
    calls.push(call)
    if (calls.length > 20) calls.shift()
    request.response().then((r) => { call.outcome = r ? `${r.status()} after ${Date.now() - call.started} ms` : 'no response' },
      (e) => { call.outcome = `failed: ${e?.message ?? e}` })
  })
  page.on('requestfailed', (request) => {
    const call = calls.find((c) => c.request === request)
    if (call) call.outcome = `failed after ${Date.now() - call.started} ms: ${request.failure()?.errorText}`
  })
  return page
}

/** What a failed step left on the page: its address, alerts, text and last /api/ calls (stderr). */
export async function describeFailure(page) {
  const text = await page.evaluate(() => document.querySelector('main')?.innerText ?? document.body.innerText)
    .catch((e) => `(no text: ${e?.message ?? e})`)
  const alerts = await page.getByRole('alert').allInnerTexts().catch(() => [])
  const calls = (apiCalls.get(page) ?? []).map((c) =>
    `  ${new Date(c.started).toISOString().slice(11, 23)} ${c.request.method()} ${new URL(c.request.url()).pathname} -> ${c.outcome}`)
  console.error([`page: ${page.url()}`, `alerts: ${JSON.stringify(alerts)}`, `text: ${text.slice(0, 600)}`,
    'last /api/ calls:', ...calls].join('\n'))
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

/**
 * Holds the page's signed-out answers to /api/auth/me until a sign-in is
 * answered: under load the page's first "who am I" can land after the whole
 * sign-in, and must not undo it. Returns a function that stops holding.
 */
export async function slowFirstWhoAmI(page) {
  let signedIn
  const answered = new Promise((resolve) => { signedIn = resolve })
  const onResponse = (r) => { if (new URL(r.url()).pathname === '/api/auth/login') signedIn() }
  page.on('response', onResponse)
  const hold = async (route) => {
    const response = await route.fetch()
    if (response.status() === 401) await answered
    // The page may have given up on it meanwhile (a cancelled query, a navigation).
    await route.fulfill({ response }).catch(() => {})
  }
  await page.route('**/api/auth/me', hold)
  return async () => {
    page.off('response', onResponse)
    await page.unroute('**/api/auth/me', hold)
  }
}

/** Opens the first product with stock from the shop and adds one to the cart. */
export async function addFirstProductToCart(page, base) {
  await page.goto(`${base}/`)
  const card = page.locator('.pcard').filter({ has: page.getByRole('button', { name: /^Add to cart ./ }) }).first()
  await card.locator('.pcard__link').click()
  // Exact: until the product page shows, the grid's "Add to cart <name>" buttons match a substring.
  await page.getByRole('button', { name: 'Add to cart', exact: true }).click()
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
