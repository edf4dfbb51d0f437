// The operations console tour used by admin.e2e.mjs: opens each console page
// as the signed-in admin, checks that it shows live data from the real server,
// and saves a screenshot of each under `shots`.
//
// `ctx`: {base, shots, orderId, customerId, customerEmail, postEvent(), awsUrl?}
import assert from 'node:assert/strict'
import { checkAccessibility } from './a11y.mjs'
import { createHash, createHmac } from 'node:crypto'

// SigV4 headers for an S3 PUT with UNSIGNED-PAYLOAD, signed with
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (the test harness's root key).
// The paths signed here are plain ASCII, so the path is its own canonical form.
function s3Headers(method, url, type) {
  const key = process.env.AWS_ACCESS_KEY_ID
  const secret = process.env.AWS_SECRET_ACCESS_KEY
  const plain = type ? { 'content-type': type } : {}
  if (!key || !secret) return plain
  const u = new URL(url)
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
  const headers = { ...plain, host: u.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-date': date }
  const names = Object.keys(headers).sort()
  const canonical = [method, u.pathname, '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'),
    'UNSIGNED-PAYLOAD'].join('\n')
  const scope = `${date.slice(0, 8)}/us-east-1/s3/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n')
  const hmac = (k, data) => createHmac('sha256', k).update(data).digest()
  let signing = hmac(`AWS4${secret}`, date.slice(0, 8))
  for (const part of ['us-east-1', 's3', 'aws4_request']) signing = hmac(signing, part)
  const signature = createHmac('sha256', signing).update(toSign).digest('hex')
  delete headers.host
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${key}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`
  return headers
}

async function seedBucket(awsUrl) {
  // A bucket with an archive-like layout, over the S3 REST API, signed with
  // the root key. Returns false when the server refuses.
  const put = async (path, body, type) =>
    (await fetch(`${awsUrl}${path}`, { method: 'PUT', body, headers: s3Headers('PUT', `${awsUrl}${path}`, type) })).ok
  return (await put('/e2e-archive', '')) &&
    (await put('/e2e-archive/archive/2026/11/25/orders-000001.jsonl', '{"orderId":"o-e2e","status":"CONFIRMED"}\n', 'application/x-ndjson')) &&
    (await put('/e2e-archive/README.txt', 'archive of order events\n', 'text/plain'))
}

export async function consoleTour(page, ctx, log) {
  const { base, shots } = ctx
  const shot = async (name) => {  // a screenshot and an axe check of each page
    await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true })
    await checkAccessibility(page, name)
  }

  log('the console opens on the streams page')
  await page.goto(`${base}/admin/console`)
  await page.getByRole('heading', { name: 'Streams', level: 1 }).waitFor()
  await page.getByRole('link', { name: 'activity' }).waitFor()
  await shot('desktop-console-streams')

  log('a stream shows its shards, consumers and a live tail that receives a new record')
  await page.getByRole('link', { name: 'activity' }).click()
  await page.getByRole('heading', { name: 'activity', level: 1 }).waitFor()
  await page.getByRole('table', { name: /Shards of activity/ }).locator('tbody tr').first().waitFor()
  await page.getByText('Following new records').waitFor()
  await ctx.postEvent()
  await page.getByRole('list', { name: 'Records of activity' }).getByText(ctx.customerId).first().waitFor()
  const consumers = await page.getByRole('table', { name: /Event-source mappings reading activity/ }).textContent()
  assert.match(consumers, /analytics/, 'the analytics mapping reads activity')
  await shot('desktop-console-stream')
  await page.getByRole('button', { name: 'Pause' }).click()
  await page.getByText('Paused').waitFor()

  log('functions list the mappings with lag and errors')
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Functions' }).click()
  await page.getByRole('heading', { name: 'Functions', level: 1 }).waitFor()
  await page.getByRole('rowheader', { name: /order-processor/ }).first().waitFor()
  await shot('desktop-console-functions')

  log('tables: the order is found by a key-condition query')
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Tables' }).click()
  await page.getByRole('link', { name: /shop-orders/ }).click()
  await page.getByRole('heading', { name: /shop-orders/ }).waitFor()
  await page.getByRole('table', { name: 'Items of shop-orders' }).waitFor()  // browsing at first
  await page.getByLabel('Key condition').fill('#id = :v')
  await page.getByLabel('Value of placeholder 1').fill(ctx.orderId)
  await page.getByRole('button', { name: 'Run query' }).click()
  await page.getByRole('status').filter({ hasText: 'Page 1: 1 item' }).waitFor()
  await page.getByRole('table', { name: 'Items of shop-orders' }).getByText(ctx.orderId, { exact: true }).waitFor()
  await shot('desktop-console-tables')

  log('objects: buckets are browsed by folder')
  const seeded = ctx.awsUrl ? await seedBucket(ctx.awsUrl) : false
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Objects' }).click()
  await page.getByRole('heading', { name: 'Objects', level: 1 }).waitFor()
  if (seeded) {
    await page.getByRole('link', { name: /e2e-archive/ }).click()
    await page.getByRole('link', { name: /archive\// }).click()
    await page.getByRole('link', { name: /2026\// }).click()
    await page.getByRole('link', { name: /11\// }).click()
    await page.getByRole('link', { name: /25\// }).click()
    const download = page.waitForEvent('download')
    await page.getByRole('link', { name: 'Download archive/2026/11/25/orders-000001.jsonl' }).click()
    assert.equal((await download).suggestedFilename(), 'orders-000001.jsonl')
  } else {
    await page.locator('.picklist, .state--empty').first().waitFor()
  }
  await shot('desktop-console-objects')

  log('the outbox shows the confirmation email as sent')
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Email outbox' }).click()
  await page.getByRole('radio', { name: /Sent/ }).click()
  await page.getByRole('cell', { name: ctx.customerEmail }).first().waitFor()
  await shot('desktop-console-outbox')

  log('IAM shows its data, or says clearly that it is not available')
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'IAM' }).click()
  await page.getByRole('heading', { name: 'IAM', level: 1 }).waitFor()
  await page.getByText('IAM not available').or(page.getByRole('heading', { name: 'Users' })).first().waitFor()
  if (await page.getByRole('heading', { name: 'Users' }).isVisible()) {
    log('IAM lists the execution roles and explains why a function may not delete a table')
    await page.getByText('rivulet-order-processor', { exact: true }).waitFor()
    await page.getByLabel('User or role').fill('rivulet-order-processor')
    await page.getByLabel('Action').fill('dynamodb:PutItem')
    await page.getByLabel('Resource').fill('arn:aws:dynamodb:us-east-1:000000000000:table/shop-orders')
    await page.getByRole('button', { name: 'Evaluate' }).click()
    await page.getByRole('status').getByText('Allowed', { exact: true }).waitFor()
    await page.getByText(/Statement DecideOrders in least-privilege allows/).waitFor()
    await page.getByLabel('Action').fill('dynamodb:DeleteTable')
    await page.getByRole('button', { name: 'Evaluate' }).click()
    await page.getByText('Denied: no policy allows it').waitFor()
  }
  await shot('desktop-console-iam')
}
