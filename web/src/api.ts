// A tiny GraphQL client: typed documents in, typed data out. The API token
// (when the server needs one) lives in memory and sessionStorage only, and
// travels in the Authorization header — never in a URL. A person signed in
// through single sign-on has an HttpOnly session cookie instead, which the
// browser sends with these same-origin requests.
import type { TypedDocumentString } from './gql/graphql';

const TOKEN_KEY = 'estate.token';

let token: string | null = readStoredToken();
const authListeners = new Set<() => void>();

function readStoredToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function getToken(): string | null {
  return token;
}

export function setToken(t: string | null): void {
  token = t && t.trim() ? t.trim() : null;
  fieldsCache = null;
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage may be disabled: the token then lives in memory only
  }
  authListeners.forEach((f) => f());
}

/** Called when the server answers 401: the UI shows the sign-in form. */
export function onAuthChange(f: () => void): () => void {
  authListeners.add(f);
  return () => authListeners.delete(f);
}

export let authRequired = false;
/** The server's reason for its last 401 (a refused token, an ended sign-in). */
export let authMessage = '';

/** How people sign in to this server besides API tokens. */
export interface AuthConfig {
  sso: { name: string; loginUrl: string } | null;
}

export async function authConfig(): Promise<AuthConfig> {
  try {
    const res = await fetch('/auth/config', { credentials: 'same-origin' });
    if (res.ok) return (await res.json()) as AuthConfig;
  } catch {
    // an older server, or none: tokens only
  }
  return { sso: null };
}

/**
 * Signs out: ends the single sign-on session, if any, and forgets the token.
 * Resolves to where the browser goes next to sign out at the identity
 * provider too (so the next person at this browser is asked who they are),
 * or null.
 */
export async function signOut(): Promise<string | null> {
  let next: string | null = null;
  try {
    const res = await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' });
    if (res.ok) next = ((await res.json()) as { next?: string }).next ?? null;
  } catch {
    // no session to end, or no server: the token is forgotten either way
  }
  setToken(null);
  return next;
}

export class ApiError extends Error {
  constructor(
    message: string,
    public code: string,
    public status: number,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function request<TResult, TVariables>(
  doc: TypedDocumentString<TResult, TVariables>,
  variables?: TVariables,
  signal?: AbortSignal,
): Promise<TResult> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: doc.toString(), variables: variables ?? {} }),
      signal,
      credentials: 'same-origin',
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError('Cannot reach the estate server.', 'UNAVAILABLE', 0);
  }
  let body: GraphQLResponse<TResult> | null = null;
  try {
    body = (await res.json()) as GraphQLResponse<TResult>;
  } catch {
    body = null;
  }
  const first = body?.errors?.[0];
  if (res.status === 401 || first?.extensions?.code === 'UNAUTHENTICATED') {
    authRequired = true;
    authMessage = first?.message ?? '';
    authListeners.forEach((f) => f());
    throw new ApiError(first?.message ?? 'This server needs an API token.', 'UNAUTHENTICATED', 401);
  }
  if (first && !body?.data) {
    throw new ApiError(first.message, first.extensions?.code ?? 'INTERNAL', res.status);
  }
  if (!res.ok && !body?.data) {
    throw new ApiError(`The server answered ${res.status}.`, 'INTERNAL', res.status);
  }
  return body!.data as TResult;
}

let fieldsCache: Promise<Set<string>> | null = null;

/** The server's Query fields (introspection, asked once per page load). */
export function queryFields(): Promise<Set<string>> {
  fieldsCache ??= fetchQueryFields().catch((e) => {
    fieldsCache = null;
    throw e;
  });
  return fieldsCache;
}

async function fetchQueryFields(): Promise<Set<string>> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: '{ __type(name: "Query") { fields { name } } }' }),
  });
  if (res.status === 401) {
    authRequired = true;
    authListeners.forEach((f) => f());
    throw new ApiError('This server needs an API token.', 'UNAUTHENTICATED', 401);
  }
  const body = (await res.json()) as GraphQLResponse<{ __type: { fields: { name: string }[] } | null }>;
  if (!body.data) throw new ApiError(body.errors?.[0]?.message ?? `The server answered ${res.status}.`, 'INTERNAL', res.status);
  return new Set((body.data?.__type?.fields ?? []).map((f) => f.name));
}
