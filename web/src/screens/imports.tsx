import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { countText, DataTable, Empty, Loading, Pager, PageTitle, ProblemAlert, StateBadge, usePage } from '../layout/parts';
import { formatDate, formatDateTime, formatNumber } from '../lib/format';
import { REGISTRY_EVENT, registryEvent } from '../lib/labels';
import { useSignedIn } from '../session/session';

const STATUS: Record<string, { label: string; tone: 'success' | 'error' | 'info' | 'warning' | 'new' }> = {
  baseline: { label: 'Base initiale', tone: 'info' },
  applied: { label: 'Appliqué', tone: 'success' },
  unchanged: { label: 'Sans changement', tone: 'info' },
  held: { label: 'Retenu : à confirmer', tone: 'warning' },
  confirmed: { label: 'Confirmé', tone: 'success' },
  running: { label: 'En cours', tone: 'new' },
  failed: { label: 'En échec', tone: 'error' },
};

function Status({ status }: { status: string }) {
  const s = STATUS[status] ?? { label: status, tone: 'info' as const };
  return <StateBadge tone={s.tone}>{s.label}</StateBadge>;
}

/** The registry imports, latest first, with their counts. */
export function Imports() {
  const page = usePage();
  const q = useQuery({
    queryKey: ['imports', page],
    placeholderData: keepPreviousData,
    refetchInterval: 5_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/imports', { params: { query: { page: String(page), pageSize: '20' } } })),
  });
  return (
    <>
      <PageTitle lead="Chaque extraction du registre (RPPS, ADELI) importée, ce qu’elle a changé et les lignes rejetées. Un import qui changerait beaucoup de professionnels est retenu jusqu’à la confirmation d’un opérateur.">
        Imports du registre
      </PageTitle>
      <ProblemAlert error={q.error} />
      {q.isLoading && <Loading />}
      {q.data &&
        (q.data.items.length === 0 ? (
          <Empty>Aucun import.</Empty>
        ) : (
          <>
            <p className="cpx-muted">{countText(q.data.total, q.data.totalIsLowerBound, 'import', 'imports')}</p>
            <DataTable
              caption="Imports du registre"
              headers={['Extraction du', 'État', 'Lignes lues', 'Acceptées', 'Rejetées', 'Commencé', 'Par']}
              rows={q.data.items.map((i) => [
                <Link key="i" to={`/imports/${i.importId}`}>
                  {formatDate(i.asOf)}
                </Link>,
                <Status key="s" status={i.status} />,
                formatNumber(i.rowsRead),
                formatNumber(i.rowsAccepted),
                formatNumber(i.rowsRejected),
                formatDateTime(i.startedAt),
                i.submittedBy ?? i.actor,
              ])}
            />
            <Pager total={q.data.total} page={page} pageSize={20} lowerBound={q.data.totalIsLowerBound} />
          </>
        ))}
    </>
  );
}

/** One import: its counts and events, its rejected lines, and for a held import what it would do and its confirmation. */
export function ImportPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const queries = useQueryClient();
  const page = usePage();
  const imp = useQuery({
    queryKey: ['import', id],
    queryFn: async () => unwrap(await api.GET('/api/v1/imports/{id}', { params: { path: { id } } })),
  });
  const rejects = useQuery({
    queryKey: ['import-rejects', id, page],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/imports/{id}/rejects', { params: { path: { id }, query: { page: String(page), pageSize: '50' } } })),
  });
  const confirm = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/imports/{id}/confirm', { params: { path: { id } } })),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['import', id] }),
  });
  if (imp.isLoading) return <Loading />;
  if (!imp.data) return <ProblemAlert error={imp.error} title="Import introuvable" />;
  const i = imp.data;
  const preview = i.preview;
  const own = i.submittedBy !== null && i.submittedBy === session.principal.name;
  const events = (i.events ?? {}) as Record<string, number>;
  return (
    <>
      <Breadcrumb
        segments={[{ label: 'Imports du registre', linkProps: { to: '/imports' } }]}
        currentPageLabel={`Extraction du ${formatDate(i.asOf)}`}
      />
      <PageTitle>
        Extraction du {formatDate(i.asOf)} <Status status={i.status} />
      </PageTitle>
      <dl className="cpx-dl">
        <dt>Lignes</dt>
        <dd>
          {formatNumber(i.rowsRead)} lues, {formatNumber(i.rowsAccepted)} acceptées, {formatNumber(i.rowsRejected)} rejetées
        </dd>
        <dt>Professionnels</dt>
        <dd>
          {formatNumber(i.professionalsBefore)} avant, {formatNumber(i.professionalsAfter)} après
        </dd>
        <dt>Soumis</dt>
        <dd>
          le {formatDateTime(i.startedAt)} par {i.submittedBy ?? i.actor}
        </dd>
        {i.confirmedBy && (
          <>
            <dt>Confirmé</dt>
            <dd>
              le {formatDateTime(i.confirmedAt)} par {i.confirmedBy}
            </dd>
          </>
        )}
        {i.error && (
          <>
            <dt>Erreur</dt>
            <dd>{i.error}</dd>
          </>
        )}
      </dl>
      {Object.keys(events).length > 0 && (
        <DataTable
          caption="Événements produits"
          headers={['Événement', 'Nombre']}
          rows={Object.entries(REGISTRY_EVENT).map(([k, l]) => [l, formatNumber(events[k] ?? 0)])}
        />
      )}
      {i.status === 'held' && preview && (
        <section aria-labelledby="retenu" className="fr-my-4w">
          <h2 id="retenu" className="fr-h4">
            Ce que ferait cet import
          </h2>
          <Alert
            severity="warning"
            title="Import retenu : changement massif"
            description={`S’il est confirmé : ${formatNumber(preview.ceased)} cessations (leurs cartes seront mises en opposition), ${formatNumber(preview.changed)} professionnels modifiés, ${formatNumber(preview.added)} nouveaux, sur ${formatNumber(preview.professionalsBefore)} professionnels.`}
            className="fr-mb-3w"
          />
          <DataTable
            caption="Échantillon des changements"
            headers={['Identifiant national', 'Changement', 'Profession']}
            rows={preview.sample.map((s) => [
              <Link key="p" to={`/professionnels/${s.nationalId}`}>
                {s.nationalId}
              </Link>,
              registryEvent(s.kind),
              s.professionLabel ?? s.professionCode ?? '—',
            ])}
          />
          {own && (
            <p id="confirmation-impossible" className="fr-message fr-message--info">
              Vous avez soumis cet import : un autre opérateur doit le confirmer.
            </p>
          )}
          <ProblemAlert error={confirm.error} title="La confirmation n’a pas abouti" />
          {confirm.data ? (
            <Alert severity="success" small description="Confirmation enregistrée : l’import s’applique (suivi dans Travaux)." />
          ) : (
            <Button
              onClick={() => confirm.mutate()}
              disabled={own || confirm.isPending}
              nativeButtonProps={own ? { 'aria-describedby': 'confirmation-impossible' } : undefined}
            >
              Confirmer et appliquer l’import
            </Button>
          )}
        </section>
      )}
      <section aria-labelledby="rejets" className="fr-mt-4w">
        <h2 id="rejets" className="fr-h4">
          Lignes rejetées
        </h2>
        <ProblemAlert error={rejects.error} />
        {rejects.data &&
          (rejects.data.items.length === 0 ? (
            <Empty>Aucune ligne rejetée.</Empty>
          ) : (
            <>
              <DataTable
                caption="Lignes rejetées"
                headers={['Fichier', 'Ligne', 'Motif']}
                rows={rejects.data.items.map((r) => [r.file, formatNumber(r.line), r.reason])}
              />
              <Pager total={rejects.data.total} page={page} pageSize={50} />
            </>
          ))}
      </section>
    </>
  );
}
