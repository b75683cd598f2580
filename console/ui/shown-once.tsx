/**
 * A secret the API answers only when it is created (a shared key, a management key, a webhook
 * signing secret): shown in a highlighted card with a copy button, until the vendor says it is saved.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

export function CopyButton(props: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="secondary"
      onClick={async () => {
        await navigator.clipboard.writeText(props.text).catch(() => undefined);
        setCopied(true);
      }}
    >
      {copied ? "Copied" : props.label}
    </button>
  );
}

/** The secret's value (`data-secret` names it for tests and scripts) and its copy button. */
export function Secret(props: { name: string; value: string; copyLabel: string }) {
  return (
    <>
      <code data-secret={props.name}>{props.value}</code> <CopyButton text={props.value} label={props.copyLabel} />
    </>
  );
}

/** The card: `name` sets its `data-created-<name>` attribute; `doneLabel` is the button that closes it. */
export function ShownOnce(props: {
  name: string;
  title: ComponentChildren;
  doneLabel: string;
  onDone: () => void;
  children: ComponentChildren;
}) {
  const titleId = `created-${props.name}-title`;
  return (
    <section class="card shown-once" aria-labelledby={titleId} {...{ [`data-created-${props.name}`]: true }}>
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
      <button type="button" onClick={props.onDone}>
        {props.doneLabel}
      </button>
    </section>
  );
}
