/** The console's screens and the roles that see them (admin sees every screen). The API refuses anyway. */
export type Role = 'operator' | 'helpdesk' | 'auditor' | 'admin' | 'batch';

export const SCREENS = {
  search: { path: '/', title: 'Recherche', roles: ['operator', 'helpdesk'] },
  professional: { path: '/professionnels', title: 'Professionnel', roles: ['operator', 'helpdesk'] },
  opposition: { path: '/cartes', title: 'Déclarer une opposition', roles: ['operator', 'helpdesk'] },
  orders: { path: '/commandes', title: 'Commandes', roles: ['operator'] },
  imports: { path: '/imports', title: 'Imports du registre', roles: ['operator'] },
  jobs: { path: '/travaux', title: 'Travaux et courriers', roles: ['operator'] },
  encoders: { path: '/encodeurs', title: 'Encodeurs', roles: ['operator'] },
  audit: { path: '/audit', title: 'Journal d’audit', roles: ['auditor'] },
  crl: { path: '/oppositions', title: 'Liste d’opposition', roles: ['operator', 'helpdesk', 'auditor'] },
} as const satisfies Record<string, { path: string; title: string; roles: readonly Role[] }>;

export type ScreenName = keyof typeof SCREENS;

export function mayUse(roles: readonly string[], screen: ScreenName): boolean {
  return roles.includes('admin') || SCREENS[screen].roles.some((r) => roles.includes(r));
}

/** The first screen a person sees after signing in: the first of the menu their roles allow. */
export function homeOf(roles: readonly string[]): string {
  const first = (Object.keys(SCREENS) as ScreenName[]).find((s) => s !== 'professional' && s !== 'opposition' && mayUse(roles, s));
  return first ? SCREENS[first].path : '/non-autorise';
}
