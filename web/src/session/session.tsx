import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { api, setCsrfToken } from '../api/client';
import { type ApiProblem, problemText, unwrap } from '../api/problem';
import type { components } from '../api/schema';

/** The signed-in person, as GET/POST /api/v1/session give it. */
export type SessionView = components['schemas']['SessionAnswer_Output'];

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
    api.GET('/api/v1/session').then(
      (answer) => (answer.data ? open(answer.data) : close()),
      () => close(),
    );
  }, [open, close]);

  const signIn = useCallback(
    async (login: string, password: string) => {
      open(unwrap(await api.POST('/api/v1/session', { body: { login, password } })));
    },
    [open],
  );

  const signOut = useCallback(
    async (notice?: string) => {
      await api.DELETE('/api/v1/session').catch(() => undefined);
      close(notice ?? 'Vous êtes déconnecté.');
    },
    [close],
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
