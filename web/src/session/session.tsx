import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { setCsrfToken } from '../api/client';
import { ApiProblem, problemText } from '../api/problem';

/** The signed-in person, as GET/POST /api/v1/session give it. */
export interface SessionView {
  principal: { id: string; name: string; email: string | null };
  roles: string[];
  csrfToken: string;
  idleTimeoutSeconds: number;
  expiresAt: string;
}

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; notice?: string }
  | { status: 'signed-in'; session: SessionView };

interface SessionApi {
  state: SessionState;
  signIn(login: string, password: string): Promise<void>;
  signOut(notice?: string): Promise<void>;
  /** An API call answered 401: the session is gone (expired or ended elsewhere). */
  lost(problem: ApiProblem): void;
}

const SessionContext = createContext<SessionApi | null>(null);

async function sessionCall(method: 'GET' | 'POST' | 'DELETE', body?: unknown, csrf?: string): Promise<SessionView | null> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch('/api/v1/session', {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiProblem(res.status, json.code ?? `http_${res.status}`, json.detail ?? '');
  return json as SessionView;
}

/** Events that count as the person being there (the idle timer restarts on each). */
const ACTIVITY = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * The session: read at start, opened by the sign-in form, ended by "Se déconnecter", by the
 * server (any 401), or here after the idle timeout without a key or a click: background
 * refreshes (live progress, encoders) never keep a session open.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const idleTimer = useRef<number | undefined>(undefined);

  const open = useCallback((s: SessionView) => {
    setCsrfToken(s.csrfToken);
    setState({ status: 'signed-in', session: s });
  }, []);

  const close = useCallback((notice?: string) => {
    setCsrfToken(undefined);
    setState({ status: 'signed-out', notice });
  }, []);

  useEffect(() => {
    sessionCall('GET').then(
      (s) => (s ? open(s) : close()),
      () => close(),
    );
  }, [open, close]);

  const signIn = useCallback(
    async (login: string, password: string) => {
      const s = await sessionCall('POST', { login, password });
      if (s) open(s);
    },
    [open],
  );

  const signOut = useCallback(
    async (notice?: string) => {
      const csrf = state.status === 'signed-in' ? state.session.csrfToken : undefined;
      await sessionCall('DELETE', undefined, csrf).catch(() => undefined);
      close(notice ?? 'Vous êtes déconnecté.');
    },
    [state, close],
  );

  const lost = useCallback((p: ApiProblem) => close(problemText(p.status, p.code, p.detail)), [close]);

  const idleSeconds = state.status === 'signed-in' ? state.session.idleTimeoutSeconds : 0;
  useEffect(() => {
    if (!idleSeconds) return;
    const restart = () => {
      window.clearTimeout(idleTimer.current);
      idleTimer.current = window.setTimeout(() => {
        void signOut('Votre session a expiré après une période d’inactivité. Reconnectez-vous pour continuer.');
      }, idleSeconds * 1000);
    };
    restart();
    for (const e of ACTIVITY) window.addEventListener(e, restart, { passive: true });
    return () => {
      window.clearTimeout(idleTimer.current);
      for (const e of ACTIVITY) window.removeEventListener(e, restart);
    };
  }, [idleSeconds, signOut]);

  const value = useMemo(() => ({ state, signIn, signOut, lost }), [state, signIn, signOut, lost]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in session (screens are only rendered signed in). */
export function useSignedIn(): SessionView {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useSignedIn while signed out');
  return state.session;
}
