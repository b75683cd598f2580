/** The pieces every view is made of: sections, labelled fields, tables with an empty state, badges. */
import type { ComponentChildren, InputHTMLAttributes } from "preact";
import { useId } from "preact/hooks";

export function PageHeader(props: { title: ComponentChildren; subtitle?: ComponentChildren; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.subtitle && <p class="hint">{props.subtitle}</p>}
      </div>
      {props.children && <div class="actions">{props.children}</div>}
    </header>
  );
}

export function Section(props: { title: string; children: ComponentChildren; actions?: ComponentChildren; id?: string; wide?: boolean }) {
  const headingId = useId();
  return (
    <section class={`card${props.wide ? " wide" : ""}`} aria-labelledby={headingId} id={props.id}>
      <div class="section-title">
        <h2 id={headingId}>{props.title}</h2>
        {props.actions && <div class="actions">{props.actions}</div>}
      </div>
      {props.children}
    </section>
  );
}

/** The input attributes the console's forms use (preact's InputHTMLAttributes is a union by `type`, narrowed here by hand). */
interface InputProps {
  type?: "text" | "number" | "email" | "password" | "date" | "url" | "search";
  name?: string;
  required?: boolean;
  disabled?: boolean;
  min?: number;
  max?: number;
  step?: number;
  placeholder?: string;
  autocomplete?: string;
  inputMode?: "numeric" | "text" | "email";
}

/** A text, number, date or e-mail input with its label (and an optional hint tied to it). */
export function Field(props: InputProps & { label: string; hint?: string; value: string | number; onValue: (value: string) => void }) {
  const id = useId();
  const { label, hint, onValue, value, ...input } = props;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        {...(input as InputHTMLAttributes<HTMLInputElement>)}
        id={id}
        value={value}
        onInput={(event) => onValue(event.currentTarget.value)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function Checkbox(props: { label: string; checked: boolean; onChange: (checked: boolean) => void; name?: string; hint?: string }) {
  const id = useId();
  return (
    <div class="field check">
      <input
        id={id}
        type="checkbox"
        name={props.name}
        checked={props.checked}
        onChange={(event) => props.onChange(event.currentTarget.checked)}
      />
      <label for={id}>{props.label}</label>
      {props.hint && <p class="hint">{props.hint}</p>}
    </div>
  );
}

export function Select<T extends string>(props: {
  label: string;
  value: T;
  options: ReadonlyArray<readonly [T, string]>;
  onValue: (value: T) => void;
  name?: string;
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name} value={props.value} onChange={(event) => props.onValue(event.currentTarget.value as T)}>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** What a list says when it has nothing to show, with the next step. */
export function Empty(props: { children: ComponentChildren }) {
  return (
    <div class="empty" data-empty>
      {props.children}
    </div>
  );
}

/**
 * What the API flags on a resource (its `warnings`): settings that work but refuse every request
 * for now, such as a cap of 0 or a validity in the past. Nothing when there are none.
 */
export function Warnings(props: { warnings: readonly string[] }) {
  if (props.warnings.length === 0) return null;
  return (
    <ul class="warnings" data-warnings>
      {props.warnings.map((warning) => (
        <li key={warning}>{warning}</li>
      ))}
    </ul>
  );
}

/** A table that scrolls sideways on a narrow screen instead of squeezing its columns. */
export function Table(props: { label: string; head: ComponentChildren[]; children: ComponentChildren; name?: string }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={`${props.label} table`}>
      <table class="list" data-table={props.name}>
        <thead>
          <tr>
            {props.head.map((cell, index) => (
              <th key={index} scope="col">
                {cell === "" ? <span class="visually-hidden">Actions</span> : cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

export function Badge(props: { tone: "ok" | "bad" | "warn" | "muted"; children: ComponentChildren; state?: string }) {
  return (
    <span class={`badge ${props.tone}`} data-state={props.state}>
      {props.children}
    </span>
  );
}

/** Loading, a failure to load (with a retry), or the content. */
export function Loaded(props: {
  loading: boolean;
  error: string | null;
  retry: () => void;
  children: () => ComponentChildren;
  ready: boolean;
}) {
  if (props.error)
    return (
      <div class="load-error" role="alert">
        <h1>Could not load this view</h1>
        <p>Could not load: {props.error}</p>
        <button type="button" class="secondary" onClick={props.retry}>
          Try again
        </button>
      </div>
    );
  if (!props.ready) return <p class="hint">Loading…</p>;
  return <>{props.children()}</>;
}

export function MoreButton(props: { hasMore: boolean; loading: boolean; more: () => void }) {
  if (!props.hasMore) return null;
  return (
    <button type="button" class="secondary more" disabled={props.loading} onClick={props.more}>
      Load more
    </button>
  );
}

export const dateTime = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "—";
export const dateOnly = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" }) : "—";

/** An ISO date-time from a <input type="date"> value (the end of that day, UTC), or null. */
export const endOfDay = (date: string) => (date ? `${date}T23:59:59Z` : null);
