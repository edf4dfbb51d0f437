import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react'

interface FieldProps {
  label: string
  error?: string
  hint?: ReactNode
}

/** A labelled input with its validation message beside it (announced, linked by aria-describedby). */
export function TextField({ label, error, hint, id, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const auto = useId()
  const fid = id ?? auto
  const errId = `${fid}-error`
  const hintId = `${fid}-hint`
  const describedBy = [error ? errId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined
  return (
    <div className={`field${error ? ' field--invalid' : ''}`}>
      <label htmlFor={fid}>{label}{input.required ? <span aria-hidden="true" className="req"> *</span> : null}</label>
      <input id={fid} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint ? <p id={hintId} className="field__hint">{hint}</p> : null}
      {error ? <p id={errId} className="field__error" role="alert">{error}</p> : null}
    </div>
  )
}

export function SelectField({
  label, error, hint, id, children, ...select
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  const auto = useId()
  const fid = id ?? auto
  const errId = `${fid}-error`
  return (
    <div className={`field${error ? ' field--invalid' : ''}`}>
      <label htmlFor={fid}>{label}{select.required ? <span aria-hidden="true" className="req"> *</span> : null}</label>
      <select id={fid} aria-invalid={error ? true : undefined} aria-describedby={error ? errId : undefined} {...select}>
        {children}
      </select>
      {hint ? <p className="field__hint">{hint}</p> : null}
      {error ? <p id={errId} className="field__error" role="alert">{error}</p> : null}
    </div>
  )
}
