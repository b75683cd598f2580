/**
 * Destructive actions ask first: the button opens a modal <dialog> (focus moves into it, Escape
 * cancels, the page behind is inert) that says what will happen, and only its confirm button acts.
 */
import type { ComponentChildren } from "preact";
import { useId, useRef } from "preact/hooks";
import { useAction } from "./notices";

interface ConfirmButtonProps {
  /** The button on the page. */
  label: string;
  /** The dialog's question, e.g. "Blacklist device laptop-7?". */
  title: string;
  /** What will happen, in the vendor's words. */
  children: ComponentChildren;
  /** The dialog's confirm button, e.g. "Blacklist device". */
  confirmLabel: string;
  /** What the action is called in an error ("Blacklisting failed: ..."). */
  what: string;
  /** The success notice (or built from the action's answer). */
  done: string | ((result: any) => string);
  action: () => Promise<unknown>;
  /** Called after a successful action (e.g. to reload the view). */
  after?: () => void;
  danger?: boolean;
  /** Extra attributes for tests and styling. */
  name?: string;
  disabled?: boolean;
}

export function ConfirmButton(props: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const { busy, run } = useAction();
  const titleId = useId();
  async function confirm() {
    const outcome = await run(props.what, props.action, props.done);
    dialog.current?.close();
    if (outcome.ok) props.after?.();
  }
  return (
    <>
      <button
        type="button"
        class={props.danger ? "danger" : "secondary"}
        data-action={props.name}
        disabled={props.disabled || busy}
        onClick={() => dialog.current?.showModal()}
      >
        {props.label}
      </button>
      <dialog ref={dialog} class="confirm" aria-labelledby={titleId} data-confirm={props.name}>
        <h2 id={titleId}>{props.title}</h2>
        <div class="confirm-body">{props.children}</div>
        <div class="actions">
          <button type="button" class="secondary" onClick={() => dialog.current?.close()} autofocus>
            Cancel
          </button>
          <button type="button" class={props.danger ? "danger solid" : ""} data-confirm-action disabled={busy} onClick={confirm}>
            {props.confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
