import { Tabs } from '@codegouvfr/react-dsfr/Tabs';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { countText, DataTable, Empty, Loading, Pager, PageTitle, ProblemAlert, StateBadge, usePage } from '../layout/parts';
import { formatActor, formatDateTime, formatNumber } from '../lib/format';
import { jobState } from '../lib/labels';
import { MailingBatches, Reprints, ReturnedLetter } from './mailing';

const KIND: Record<string, string> = {
  'rpps-import': 'Import du registre',
  renewals: 'Renouvellements',
  expiry: 'Fins de validité',
  'mailing-batch': 'Lot de courriers',
  'codes-sweep': 'Destruction des codes',
};
const PHASE: Record<string, string> = {
  reading: 'lecture',
  staging: 'chargement',
  comparing: 'comparaison',
  applying: 'application',
  rendering: 'fabrication du PDF',
  assembling: 'constitution du lot',
};

/** Jobs (live progress) and mailing (batches, returned mail, reprints), one tab each. */
export function JobsAndMailing() {
  return (
    <>
      <PageTitle lead="Les traitements en cours et passés, et les courriers : lots à imprimer, retours et réimpressions.">
        Travaux et courriers
      </PageTitle>
      <Tabs
        tabs={[
          { label: 'Travaux', iconId: 'fr-icon-settings-5-line', content: <Jobs /> },
          { label: 'Lots de courriers', iconId: 'fr-icon-mail-line', content: <MailingBatches /> },
          { label: 'Courrier retourné', iconId: 'fr-icon-arrow-go-back-line', content: <ReturnedLetter /> },
          { label: 'Réimpressions', iconId: 'fr-icon-printer-line', content: <Reprints /> },
        ]}
      />
    </>
  );
}

function Jobs() {
  const page = usePage();
  const q = useQuery({
    queryKey: ['jobs', page],
    placeholderData: keepPreviousData,
    // Live progress: the list is read again every 2 s (not counted as the person's activity).
    refetchInterval: 2_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/jobs', { params: { query: { page: String(page), pageSize: '20' } } })),
  });
  if (q.isLoading) return <Loading />;
  if (!q.data) return <ProblemAlert error={q.error} />;
  const runs = q.data.runs;
  return (
    <section aria-labelledby="travaux">
      <h2 id="travaux" className="fr-h4">
        {countText(q.data.total, q.data.totalIsLowerBound, 'traitement', 'traitements')}
      </h2>
      {runs.length === 0 ? (
        <Empty>Aucun traitement.</Empty>
      ) : (
        <DataTable
          caption="Traitements, les plus récents d’abord"
          headers={['Traitement', 'État', 'Avancement', 'Commencé', 'Terminé', 'Par']}
          rows={runs.map((j) => [
            KIND[j.kind] ?? j.kind,
            <StateBadge
              key="s"
              tone={j.state === 'failed' ? 'error' : j.state === 'succeeded' ? 'success' : j.state === 'held' ? 'warning' : 'new'}
            >
              {jobState(j.state)}
            </StateBadge>,
            <Progress key="p" done={j.progress} total={j.total} percent={j.percent} phase={j.phase} error={j.error} />,
            formatDateTime(j.startedAt ?? j.createdAt),
            formatDateTime(j.finishedAt),
            formatActor(j.actor),
          ])}
        />
      )}
      <Pager total={q.data.total} page={page} pageSize={20} lowerBound={q.data.totalIsLowerBound} />
    </section>
  );
}

function Progress({
  done,
  total,
  percent,
  phase,
  error,
}: {
  done: number;
  total: number | null;
  percent: number | null;
  phase: string | null;
  error: string | null;
}) {
  const text = `${formatNumber(done)}${total ? ` sur ${formatNumber(total)}` : ''}${percent !== null ? ` (${String(percent).replace('.', ',')} %)` : ''}`;
  return (
    <div>
      {total ? <progress className="cpx-progress" max={total} value={done} aria-label={`Avancement : ${text}`} /> : null}
      <div className="fr-text--sm fr-mb-0">
        {text}
        {phase && <span className="cpx-muted"> · {PHASE[phase] ?? phase}</span>}
      </div>
      {error && <div className="fr-error-text fr-mt-0">{error}</div>}
    </div>
  );
}
