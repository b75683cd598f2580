/**
 * The console's frame: sign-in until a key is held, then the navigation, the global search, the
 * notices and the view the hash route names. Each view is a file in views/.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { get, session } from "./api";
import type { Caller } from "./types";
import { href, navigate, useRoute, type Route } from "./router";
import { Notices, dismissErrors } from "./ui/notices";
import { ActivityView } from "./views/activity";
import { ApiKeysView } from "./views/api-keys";
import { CustomersView, CustomerView } from "./views/customers";
import { ManagementKeysView } from "./views/management-keys";
import { AuditView } from "./views/audit";
import { IssueLicenseView } from "./views/issue-license";
import { LicenseView } from "./views/license";
import { LicensesView } from "./views/licenses";
import { ProductView } from "./views/product";
import { ProductsView } from "./views/products";
import { SearchView } from "./views/search";
import { SignIn } from "./views/sign-in";
import { UsageView } from "./views/usage";
import { WebhookView, WebhooksView } from "./views/webhooks";

/** The sections of the navigation, in order; `match` is the first path segment they own. */
const NAVIGATION: ReadonlyArray<{ match: string; label: string }> = [
  { match: "licenses", label: "Licenses" },
  { match: "customers", label: "Customers" },
  { match: "products", label: "Products" },
  { match: "usage", label: "Usage" },
  { match: "api-keys", label: "API keys" },
  { match: "webhooks", label: "Webhooks" },
  { match: "activity", label: "Activity" },
  { match: "audit", label: "Consumption log" },
  { match: "management-keys", label: "Management keys" },
];

function view(route: Route): ComponentChildren {
  const [section = "licenses", id, sub] = route.segments;
  switch (section) {
    case "licenses":
      if (id === "new") return <IssueLicenseView productId={route.query.get("product")} customerId={route.query.get("customer")} />;
      return id ? <LicenseView key={id} licenseId={Number(id)} /> : <LicensesView query={route.query} />;
    case "products":
      return id ? <ProductView key={id} productId={Number(id)} /> : <ProductsView />;
    case "customers":
      return id ? <CustomerView key={id} customerId={Number(id)} /> : <CustomersView query={route.query} />;
    case "api-keys":
      return <ApiKeysView />;
    case "usage":
      return <UsageView query={route.query} />;
    case "webhooks":
      return id ? <WebhookView key={id} endpointId={Number(id)} query={route.query} /> : <WebhooksView />;
    case "activity":
      return <ActivityView query={route.query} />;
    case "management-keys":
      return <ManagementKeysView />;
    case "audit":
      return <AuditView query={route.query} />;
    case "search":
      return <SearchView key={route.query.get("q") ?? ""} text={route.query.get("q") ?? ""} />;
    default:
      return <NotFound what={[section, id, sub].filter(Boolean).join("/")} />;
  }
}

function NotFound(props: { what: string }) {
  return (
    <div class="card">
      <h1>Nothing here</h1>
      <p>
        The console has no view “{props.what}”. <a href={href("licenses")}>Go to the licenses</a>.
      </p>
    </div>
  );
}

function SearchBox(props: { initial: string }) {
  const [text, setText] = useState(props.initial);
  useEffect(() => setText(props.initial), [props.initial]);
  return (
    <form
      role="search"
      aria-label="Global search"
      class="global-search"
      onSubmit={(event) => {
        event.preventDefault();
        if (text.trim()) navigate(href("search", { q: text.trim() }));
      }}
    >
      <label for="global-search" class="visually-hidden">
        Search licenses and customers
      </label>
      <input
        id="global-search"
        type="search"
        placeholder="Search: license key, e-mail, company, name"
        value={text}
        onInput={(event) => setText(event.currentTarget.value)}
      />
      <button type="submit">Search</button>
    </form>
  );
}

/** Who is signed in, as the activity log will name their changes, and with which role. */
function Caller() {
  const [caller, setCaller] = useState<Caller | null>(null);
  useEffect(() => {
    get<Caller>("/api/v1/me").then(setCaller, () => setCaller(null));
  }, []);
  if (!caller) return null;
  return (
    <span class="caller" data-caller={caller.name} data-role={caller.role}>
      {caller.name} <span class="role">{caller.role}</span>
    </span>
  );
}

export function App() {
  const [signedIn, setSignedIn] = useState(session.key() !== null);
  const [signOutMessage, setSignOutMessage] = useState<string | null>(null);
  const route = useRoute();
  useEffect(() => {
    session.onSignOut((message) => {
      setSignOutMessage(message);
      setSignedIn(false);
    });
  }, []);
  const section = route.segments[0] ?? "licenses";
  const path = route.segments.join("/");
  useEffect(dismissErrors, [path]);
  const title = NAVIGATION.find((item) => item.match === section)?.label;
  useEffect(() => {
    document.title = `${title ?? "Vendor console"} · Edge License API`;
  }, [title]);

  if (!signedIn)
    return (
      <>
        <Notices />
        <SignIn
          message={signOutMessage}
          onSignedIn={() => {
            setSignOutMessage(null);
            setSignedIn(true);
          }}
        />
      </>
    );
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={href("licenses")}>
          Edge License API <span>console</span>
        </a>
        <SearchBox initial={section === "search" ? (route.query.get("q") ?? "") : ""} />
        <Caller />
        <button type="button" class="secondary on-dark" onClick={() => session.signOut()}>
          Sign out
        </button>
      </header>
      <nav class="sidebar" aria-label="Sections">
        <ul>
          {NAVIGATION.map((item) => (
            <li key={item.match}>
              <a href={href(item.match)} aria-current={item.match === section ? "page" : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Notices />
        {view(route)}
      </main>
    </div>
  );
}
