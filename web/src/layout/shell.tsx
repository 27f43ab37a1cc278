import { Footer } from '@codegouvfr/react-dsfr/Footer';
import { Header } from '@codegouvfr/react-dsfr/Header';
import { SkipLinks } from '@codegouvfr/react-dsfr/SkipLinks';
import { type ReactNode, useEffect, useRef } from 'react';
import { useLocation } from 'react-router';
import { roleLabel } from '../lib/labels';
import { mayUse, SCREENS, type ScreenName } from '../session/roles';
import { useSession } from '../session/session';

const MENU: ScreenName[] = ['search', 'orders', 'imports', 'jobs', 'encoders', 'audit', 'crl'];

const BRAND_TOP = (
  <>
    République
    <br />
    Française
  </>
);

/** Every page: skip links, the State's header with the menu of one's roles, the content, the footer. */
export function Shell({ children }: { children: ReactNode }) {
  const { state, signOut } = useSession();
  const { pathname } = useLocation();
  const session = state.status === 'signed-in' ? state.session : null;
  const roles = session?.roles ?? [];
  const navigation = session
    ? MENU.filter((s) => mayUse(roles, s)).map((s) => ({
        text: SCREENS[s].title,
        linkProps: { to: SCREENS[s].path },
        isActive:
          SCREENS[s].path === '/' ? pathname === '/' || pathname.startsWith('/professionnels') : pathname.startsWith(SCREENS[s].path),
      }))
    : undefined;

  // Focus goes to the page's title on each navigation, signing in and out included (RGAA 12.7): a
  // screen reader announces the new page. Not when the page first loads (nor when the session is
  // first known): there, the first Tab reaches the skip links, as on any page.
  const before = useRef<{ pathname: string; status: string } | null>(null);
  useEffect(() => {
    const was = before.current;
    before.current = { pathname, status: state.status };
    if (!was || was.status === 'loading') return;
    if (was.pathname === pathname && was.status === state.status) return;
    return focusTitleWhenShown();
  }, [pathname, state.status]);

  return (
    <>
      <SkipLinks
        links={[{ anchor: '#contenu', label: 'Contenu' }, ...(session ? [{ anchor: '#en-tete-main-navigation', label: 'Menu' }] : [])]}
      />
      <Header
        brandTop={BRAND_TOP}
        serviceTitle="Console CPx"
        serviceTagline="Cartes des professionnels de santé — agence de gestion"
        homeLinkProps={{ to: '/', title: 'Accueil — Console CPx' }}
        id="en-tete"
        navigation={navigation}
        quickAccessItems={
          session
            ? [
                <span key="who" className="fr-btn fr-btn--tertiary-no-outline fr-icon-account-circle-line fr-btn--icon-left cpx-who">
                  {session.principal.name} · {session.roles.map(roleLabel).join(', ')}
                </span>,
                {
                  iconId: 'fr-icon-logout-box-r-line',
                  text: 'Se déconnecter',
                  buttonProps: { onClick: () => void signOut() },
                },
              ]
            : []
        }
      />
      <main id="contenu" tabIndex={-1} className="fr-container fr-pt-4w fr-pb-8w cpx-main">
        {children}
      </main>
      <Footer
        accessibility="partially compliant"
        brandTop={BRAND_TOP}
        homeLinkProps={{ to: '/', title: 'Accueil — Console CPx' }}
        contentDescription="Console de l’agence de gestion des cartes de la famille CPS : registre, commandes, personnalisation, courriers et oppositions. Usage réservé aux agents habilités ; chaque action est inscrite au journal d’audit."
        bottomItems={[{ text: 'Documentation de l’API', linkProps: { to: '/api/docs', reloadDocument: true } }]}
      />
    </>
  );
}

/**
 * Focuses the page's title (`main h1`) now, or when it appears (a screen that loads its data
 * shows it after "Chargement…"), as long as the focus is nowhere else meanwhile (on the page's
 * body: the link followed went away with the old screen). Gives up after 10 s. Returns the
 * clean-up of an effect.
 */
function focusTitleWhenShown(): () => void {
  const focus = (): boolean => {
    const title = document.querySelector<HTMLElement>('main h1');
    if (!title) return false;
    title.focus();
    return true;
  };
  if (focus()) return () => undefined;
  const main = document.querySelector('main');
  if (!main) return () => undefined;
  const watch = new MutationObserver(() => {
    if (document.activeElement !== document.body && document.activeElement !== null) return stop();
    if (focus()) stop();
  });
  const timer = setTimeout(() => stop(), 10_000);
  function stop(): void {
    watch.disconnect();
    clearTimeout(timer);
  }
  watch.observe(main, { childList: true, subtree: true });
  return stop;
}
