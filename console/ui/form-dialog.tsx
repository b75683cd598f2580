/**
 * An edit behind a button: the button opens a modal <dialog> holding a form; submitting runs the
 * action with feedback (useAction) and closes the dialog only when it succeeded, so a refused value
 * stays in front of the vendor with the API's message.
 */
import type { ComponentChildren } from "preact";
import { useId, useRef, useState } from "preact/hooks";
import { useAction } from "./notices";

interface FormDialogProps {
  /** The button on the page. */
  label: string;
  title: string;
  /** The form's fields; called when the dialog opens, so they start from the current values. */
  children: ComponentChildren;
  submitLabel: string;
  what: string;
  done: string;
  action: () => Promise<unknown>;
  after?: () => void;
  onOpen?: () => void;
  name?: string;
  buttonClass?: string;
}

export function FormDialog(props: FormDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const { busy, run } = useAction();
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  async function submit(event: Event) {
    event.preventDefault();
    const outcome = await run(props.what, props.action, props.done);
    setError(outcome.ok ? null : outcome.error);
    if (outcome.ok) {
      dialog.current?.close();
      props.after?.();
    }
  }
  return (
    <>
      <button
        type="button"
        class={props.buttonClass ?? "secondary"}
        data-action={props.name}
        onClick={() => {
          setError(null);
          props.onOpen?.();
          dialog.current?.showModal();
        }}
      >
        {props.label}
      </button>
      <dialog ref={dialog} class="form-dialog" aria-labelledby={titleId} data-dialog={props.name}>
        <form onSubmit={submit}>
          <h2 id={titleId}>{props.title}</h2>
          {props.children}
          {error && (
            <p class="error" role="alert" data-form-error>
              {error}
            </p>
          )}
          <div class="actions">
            <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" disabled={busy}>
              {props.submitLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
