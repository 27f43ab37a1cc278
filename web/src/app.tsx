import { Navigate, Route, Routes, useLocation } from 'react-router';
import { Loading, Screen } from './layout/parts';
import { Shell } from './layout/shell';
import { Audit } from './screens/audit';
import { OppositionList } from './screens/crl';
import { Encoders } from './screens/encoders';
import { ImportPage, Imports } from './screens/imports';
import { JobsAndMailing } from './screens/jobs';
import { Login } from './screens/login';
import { NewOrder } from './screens/new-order';
import { NotAllowed, NotFound } from './screens/not-allowed';
import { DeclareOpposition } from './screens/opposition';
import { OrderPage } from './screens/order';
import { Orders } from './screens/orders';
import { ProfessionalPage } from './screens/professional';
import { Search } from './screens/search';
import { SetPassword } from './screens/set-password';
import { homeOf, mayUse } from './session/roles';
import { useSession } from './session/session';

/** The console's pages, each behind its roles; signed out, every address shows the sign-in form (and comes back after). */
export function App() {
  const { state } = useSession();
  const { pathname } = useLocation();
  if (pathname === '/mot-de-passe') {
    return (
      <Shell>
        <SetPassword />
      </Shell>
    );
  }
  if (state.status === 'loading') {
    return (
      <Shell>
        <Loading />
      </Shell>
    );
  }
  if (state.status === 'signed-out') {
    return (
      <Shell>
        <Login notice={state.notice} />
      </Shell>
    );
  }
  const roles = state.session.roles;
  return (
    <Shell>
      <Routes>
        <Route
          path="/"
          element={
            mayUse(roles, 'search') ? (
              <Screen name="search" title="Recherche">
                <Search />
              </Screen>
            ) : (
              <Navigate to={homeOf(roles)} replace />
            )
          }
        />
        <Route
          path="/professionnels/:nationalId"
          element={
            <Screen name="professional" title="Professionnel">
              <ProfessionalPage />
            </Screen>
          }
        />
        <Route
          path="/professionnels/:nationalId/commande"
          element={
            <Screen name="orders" title="Commander une carte">
              <NewOrder />
            </Screen>
          }
        />
        <Route
          path="/cartes/:cardNumber/opposition"
          element={
            <Screen name="opposition" title="Déclarer une opposition">
              <DeclareOpposition />
            </Screen>
          }
        />
        <Route
          path="/commandes"
          element={
            <Screen name="orders" title="Commandes">
              <Orders />
            </Screen>
          }
        />
        <Route
          path="/commandes/:id"
          element={
            <Screen name="orders" title="Commande">
              <OrderPage />
            </Screen>
          }
        />
        <Route
          path="/imports"
          element={
            <Screen name="imports" title="Imports du registre">
              <Imports />
            </Screen>
          }
        />
        <Route
          path="/imports/:id"
          element={
            <Screen name="imports" title="Import du registre">
              <ImportPage />
            </Screen>
          }
        />
        <Route
          path="/travaux"
          element={
            <Screen name="jobs" title="Travaux et courriers">
              <JobsAndMailing />
            </Screen>
          }
        />
        <Route
          path="/encodeurs"
          element={
            <Screen name="encoders" title="Encodeurs">
              <Encoders />
            </Screen>
          }
        />
        <Route
          path="/audit"
          element={
            <Screen name="audit" title="Journal d’audit">
              <Audit />
            </Screen>
          }
        />
        <Route
          path="/oppositions"
          element={
            <Screen name="crl" title="Liste d’opposition">
              <OppositionList />
            </Screen>
          }
        />
        <Route path="/non-autorise" element={<NotAllowed />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Shell>
  );
}
