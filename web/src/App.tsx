import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { authMessage, authRequired, getToken, onAuthChange, request, setToken, signOut } from './api';
import { ViewerDocument, type ViewerQuery } from './gql/graphql';
import { Link, segment, useLocation } from './router';
import { SearchBox } from './SearchBox';
import { SignIn } from './SignIn';
import { Home } from './pages/Home';
import { EntityPage } from './pages/Entity';
import { SearchResults } from './pages/SearchResults';
import { Loading } from './ui';

// The graph views pull in Cytoscape: loaded only when opened.
const Explorer = lazy(() => import('./pages/Explorer').then((m) => ({ default: m.Explorer })));
const Bench = lazy(() => import('./pages/Bench').then((m) => ({ default: m.Bench })));
const ImpactView = lazy(() => import('./pages/Impact').then((m) => ({ default: m.ImpactView })));
const ShadowView = lazy(() => import('./pages/Shadow').then((m) => ({ default: m.ShadowView })));
const RunsView = lazy(() => import('./pages/Runs').then((m) => ({ default: m.RunsView })));
const RunView = lazy(() => import('./pages/Runs').then((m) => ({ default: m.RunView })));
const ChangesView = lazy(() => import('./pages/Changes').then((m) => ({ default: m.ChangesView })));
const ChangeView = lazy(() => import('./pages/Changes').then((m) => ({ default: m.ChangeView })));
const OwnersView = lazy(() => import('./pages/Owners').then((m) => ({ default: m.OwnersView })));
const HealthView = lazy(() => import('./pages/Health').then((m) => ({ default: m.HealthView })));
const TokensView = lazy(() => import('./pages/Tokens').then((m) => ({ default: m.TokensView })));
// GraphiQL is large: its own chunk, loaded only by the playground.
const Playground = lazy(() => import('./pages/Playground').then((m) => ({ default: m.Playground })));

function Route() {
  const { path, query } = useLocation();
  let m: RegExpMatchArray | null;
  if (path === '/' || path === '') return <Home />;
  if (path === '/search') return <SearchResults q={query.get('q') ?? ''} />;
  if ((m = path.match(/^\/entity\/([^/]+)$/))) return <EntityPage id={segment(m[1])} />;
  if ((m = path.match(/^\/explore\/([^/]+)$/))) return <Explorer id={segment(m[1])} />;
  if (path === '/owners') return <OwnersView />;
  if (path === '/impact') return <ImpactView />;
  if (path === '/shadow') return <ShadowView />;
  if (path === '/health') return <HealthView />;
  if (path === '/playground') return <Playground />;
  if (path === '/runs') return <RunsView />;
  if (path === '/tokens') return <TokensView />;
  if (path === '/changes') return <ChangesView />;
  if ((m = path.match(/^\/changes\/(.+)$/))) return <ChangeView changeKey={segment(m[1])} />;
  if ((m = path.match(/^\/runs\/([^/]+)$/))) return <RunView id={segment(m[1])} />;
  if (path === '/bench/explorer') return <Bench n={Number(query.get('n') ?? 2000)} />;
  return (
    <div>
      <h1>Page not found</h1>
      <p>
        <Link href="/">Back to the start</Link>
      </p>
    </div>
  );
}

export function App() {
  const loc = useLocation();
  const [viewer, setViewer] = useState<ViewerQuery['viewer'] | null>(null);
  const [needAuth, setNeedAuth] = useState(false);
  // signIn: an anonymous reader asked to sign in (to decide changes, run
  // sources); needAuth: the server asked for a token.
  const [signIn, setSignIn] = useState(false);
  const [failed, setFailed] = useState(false);
  // Why a single sign-on session stopped working (it ended, or the server
  // restarted).
  const [notice, setNotice] = useState('');
  // The server answered without a token once: a reader whose token it
  // refuses may go back to reading without one.
  const [readsWithoutToken, setReadsWithoutToken] = useState(false);
  const [gen, setGen] = useState(0);

  useEffect(() => {
    request(ViewerDocument).then(
      (d) => {
        setViewer(d.viewer);
        setNeedAuth(false);
        if (d.viewer.anonymous) setReadsWithoutToken(true);
      },
      () => {
        if (authRequired) setNeedAuth(true);
      },
    );
  }, [gen]);

  useEffect(
    () =>
      onAuthChange(() => {
        if (authRequired) {
          setFailed(!!getToken());
          setNotice(!getToken() && /sign-in has ended/.test(authMessage) ? 'Your sign-in has ended: sign in again.' : '');
          setNeedAuth(true);
        }
      }),
    [],
  );

  // A new page: start at the top, and let screen readers know (focus the main region).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [loc.path]);

  const nav: [string, string][] = [
    ['/', 'Search'],
    ['/owners', 'Owners'],
    ['/impact', 'Impact'],
    ['/shadow', 'Shadow DevOps'],
    ['/health', 'CMDB health'],
    ['/changes', 'Changes'],
    ['/runs', 'Ingest runs'],
  ];
  if (viewer?.role === 'ADMIN') nav.push(['/tokens', 'API tokens']);

  return (
    <>
      <a href="#main" className="skip">Skip to content</a>
      <header className="top">
        <Link href="/" className="brand">estate</Link>
        <SearchBox />
        <nav aria-label="Main">
          <ul>
            {nav.map(([href, label]) => (
              <li key={href}>
                <Link href={href} aria-current={loc.path === href ? 'page' : undefined}>{label}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          {viewer && !viewer.anonymous ? (
            <>
              <span>
                {viewer.person ? (
                  <Link href={`/entity/${viewer.person.id}`} title="Your page: what you answer for">
                    {viewer.name}
                  </Link>
                ) : (
                  viewer.name
                )}{' '}
                ({viewer.role.toLowerCase()})
              </span>{' '}
              <button
                type="button"
                className="linkish"
                onClick={() => {
                  void signOut().then((next) => {
                    if (next) {
                      window.location.assign(next);
                      return;
                    }
                    setViewer(null);
                    setGen((g) => g + 1);
                  });
                }}
              >
                Sign out
              </button>
            </>
          ) : viewer ? (
            <>
              <span className="muted">anonymous (read-only)</span>{' '}
              <button type="button" className="linkish" onClick={() => setSignIn(true)}>
                Sign in
              </button>
            </>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {needAuth || signIn ? (
          <SignIn
            failed={failed}
            notice={notice}
            optional={!needAuth || readsWithoutToken}
            onCancel={() => {
              setToken(null);
              setNeedAuth(false);
              setSignIn(false);
              setFailed(false);
              setNotice('');
              setGen((g) => g + 1);
            }}
            onDone={() => {
              setNeedAuth(false);
              setSignIn(false);
              setFailed(false);
              setNotice('');
              setGen((g) => g + 1);
            }}
          />
        ) : (
          <Suspense fallback={<Loading />}>
            <Route key={gen} />
          </Suspense>
        )}
      </main>
      <footer className="foot">
        <Link href="/playground">GraphQL playground</Link> · <a href="/metrics">metrics</a> · estate
      </footer>
    </>
  );
}
