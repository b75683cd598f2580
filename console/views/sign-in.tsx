/** Sign-in: a management key, checked with one read before the tab keeps it (sessionStorage, this tab only). */
import { useState } from "preact/hooks";
import { checkKey, session } from "../api";
import { failureText } from "../ui/notices";

export function SignIn(props: { message: string | null; onSignedIn: () => void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(props.message);
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    try {
      await checkKey(key.trim());
      session.signIn(key.trim());
      setKey("");
      props.onSignedIn();
    } catch (failure) {
      setError(failureText(failure));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main class="sign-in">
      <form class="card" id="sign-in" onSubmit={submit} autocomplete="off">
        <h1>Edge License API · vendor console</h1>
        <p class="hint">
          Sign in with a management key: the Worker secret <code>MANAGEMENT_KEY</code> (<code>npm run dev</code> prints it). The key is kept
          in this browser tab only.
        </p>
        <div class="field">
          <label for="management-key">Management key</label>
          <input id="management-key" type="password" required value={key} onInput={(event) => setKey(event.currentTarget.value)} />
        </div>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
