// Accessibility check for the e2e scripts: axe-core (npm) in the real page.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

/**
 * Runs axe-core (WCAG 2.1 A/AA rules, including colour contrast) on the page
 * and fails on any serious or critical violation, naming rule and element.
 */
export async function checkAccessibility(page, name) {
  await page.addScriptTag({ path: AXE })
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)
  })
  assert.deepEqual(violations, [], `accessibility problems on ${name}`)
}
