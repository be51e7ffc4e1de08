import { useId, type ReactNode } from "react";

/** A labelled form control with its hint and error tied to it (aria-describedby), the error announced as it
 * appears. `children` receives the ids to put on the control. */
export function Field(props: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  children: (ids: { id: string; "aria-describedby"?: string; "aria-invalid"?: boolean }) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint ? hintId : null, props.error ? errorId : null].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.hint && (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      )}
      {props.children({
        id,
        ...(describedBy ? { "aria-describedby": describedBy } : {}),
        ...(props.error ? { "aria-invalid": true } : {}),
      })}
      <p id={errorId} className="field-error" role="alert" hidden={!props.error}>
        {props.error}
      </p>
    </div>
  );
}

/** Problems that name no field of the form. */
export function FormErrors({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div className="form-errors" role="alert">
      <ul>
        {messages.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
    </div>
  );
}
