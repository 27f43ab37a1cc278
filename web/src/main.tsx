import '@codegouvfr/react-dsfr/main.css';
import './console.css';
import { startReactDsfr } from '@codegouvfr/react-dsfr/spa';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Link } from 'react-router';
import { ApiProblem } from './api/problem';
import { App } from './app';
import { SessionProvider, useSession } from './session/session';

declare module '@codegouvfr/react-dsfr/spa' {
  interface RegisterLink {
    Link: typeof Link;
  }
}

startReactDsfr({ defaultColorScheme: 'light', Link });

/** Queries retry once, except refusals; a 401 anywhere ends the session on screen. */
function Queries({ children }: { children: React.ReactNode }) {
  const { lost } = useSession();
  const [client] = useState(() => {
    const onError = (e: unknown) => {
      if (e instanceof ApiProblem && e.status === 401) lost(e);
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: {
        queries: {
          retry: (n, e) => !(e instanceof ApiProblem && e.status < 500) && n < 1,
          refetchOnWindowFocus: false,
          staleTime: 5_000,
        },
      },
    });
  });
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter basename="/console">
      <SessionProvider>
        <Queries>
          <App />
        </Queries>
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
