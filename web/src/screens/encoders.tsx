import { Button } from '@codegouvfr/react-dsfr/Button';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { countText, DataTable, Empty, Loading, PageTitle, ProblemAlert, StateBadge } from '../layout/parts';
import { formatDateTime, formatNumber, formatOrderRef } from '../lib/format';

const STATE: Record<string, { label: string; tone: 'success' | 'error' | 'info' | 'warning' | 'new' }> = {
  idle: { label: 'Disponible', tone: 'success' },
  'waiting-card': { label: 'Attend une carte', tone: 'new' },
  writing: { label: 'Écrit une carte', tone: 'info' },
  error: { label: 'En erreur', tone: 'error' },
  offline: { label: 'Hors ligne', tone: 'warning' },
};

/** The encoder fleet, live: each station's state, its current order, cards done, last error; reset of a station in error. */
export function Encoders() {
  const queries = useQueryClient();
  const q = useQuery({
    queryKey: ['encoders'],
    refetchInterval: 2_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/encoders', { params: { query: { pageSize: '100' } } })),
  });
  const reset = useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST('/api/v1/encoders/{id}/reset', { params: { path: { id } } })),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['encoders'] }),
  });
  return (
    <>
      <PageTitle lead="Les postes d’encodage (lecteurs PC/SC ou simulés) et ce que fait chacun, mis à jour toutes les deux secondes.">
        Encodeurs
      </PageTitle>
      <ProblemAlert error={q.error ?? reset.error} />
      {q.isLoading && <Loading />}
      {q.data &&
        (q.data.items.length === 0 ? (
          <Empty>Aucun poste d’encodage n’a encore démarré.</Empty>
        ) : (
          <section aria-labelledby="postes">
            <h2 id="postes" className="fr-h4" aria-live="off">
              {countText(q.data.total, false, 'poste', 'postes')}
            </h2>
            <DataTable
              caption="Postes d’encodage"
              headers={[
                'Poste',
                'Pilote',
                'État',
                'Commande en cours',
                'Cartes faites',
                'Échecs',
                'Dernière erreur',
                'Dernier signe de vie',
                '',
              ]}
              rows={q.data.items.map((e) => {
                const s = STATE[e.state] ?? { label: e.state, tone: 'info' as const };
                return [
                  <span key="n">
                    <strong>{e.reader}</strong>
                    <div className="cpx-muted fr-text--sm">{e.host}</div>
                  </span>,
                  e.driver === 'pcsc' ? 'PC/SC' : 'Simulé',
                  <StateBadge key="s" tone={s.tone}>
                    {s.label}
                  </StateBadge>,
                  e.orderId ? (
                    <Link key="o" to={`/commandes/${e.orderId}`}>
                      {formatOrderRef(e.orderId)}
                    </Link>
                  ) : (
                    '—'
                  ),
                  formatNumber(e.cardsDone),
                  formatNumber(e.cardsFailed),
                  e.lastError ? `${e.lastError} (${formatDateTime(e.lastErrorAt)})` : '—',
                  formatDateTime(e.heartbeatAt),
                  e.state === 'error' || e.stoppedIn === 'error' ? (
                    <Button key="r" size="small" priority="secondary" onClick={() => reset.mutate(e.id)} disabled={reset.isPending}>
                      Remettre en service
                    </Button>
                  ) : (
                    ''
                  ),
                ];
              })}
            />
          </section>
        ))}
    </>
  );
}
