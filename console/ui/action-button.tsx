/** An action that needs no confirmation (enable, lift a blacklist, resend): one click, with its notice, then `after`. */
import { useAction } from "./notices";

export function ActionButton(props: {
  label: string;
  what: string;
  done: string;
  action: () => Promise<unknown>;
  after?: () => void;
  name?: string;
  primary?: boolean;
}) {
  const { busy, run } = useAction();
  return (
    <button
      type="button"
      class={props.primary ? undefined : "secondary"}
      data-action={props.name}
      disabled={busy}
      onClick={async () => {
        const outcome = await run(props.what, props.action, props.done);
        if (outcome.ok) props.after?.();
      }}
    >
      {props.label}
    </button>
  );
}
