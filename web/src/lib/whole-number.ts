/** The whole number `text` spells if it lies in min..max, else null: what a
 * quantity field may hold while it is being typed ("" or "1.5" or "500"). */
export function wholeNumberIn(text: string, min: number, max: number): number | null {
  const v = Number(text)
  return text.trim() !== '' && Number.isInteger(v) && v >= min && v <= max ? v : null
}
