import { Tabs } from '@codegouvfr/react-dsfr/Tabs';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { PagedList } from '../layout/list';
import { PageTitle, StateBadge, usePage } from '../layout/parts';
import { formatActor, formatDateTime, formatNumber } from '../lib/format';
import { jobState } from '../lib/labels';
import { MailingBatches, Reprints, ReturnedLetter } from './mailing';

const KIND: Record<string, string> = {
  'rpps-import': 'Import du registre',
  renewals: 'Renouvellements',
  expiry: 'Fins de validité',
  'mailing-batch': 'Lot de courriers',
  'codes-sweep': 'Destruction des codes',
  retention: 'Purge (durées de conservation)',
};
const PHASE: Record<string, string> = {
  reading: 'lecture',
  comparing: 'comparaison',
  applying: 'application',
  rendering: 'fabrication du PDF',
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
  return (
    <PagedList
      query={q}
      items={(d) => d.runs}
      id="travaux"
      count={['traitement', 'traitements']}
      empty="Aucun traitement."
      caption="Traitements, les plus récents d’abord"
      headers={['Traitement', 'État', 'Avancement', 'Commencé', 'Terminé', 'Par']}
      row={(j) => [
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
      ]}
      page={page}
      pageSize={20}
    />
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
        {phase && PHASE[phase] && <span className="cpx-muted"> · {PHASE[phase]}</span>}
      </div>
      {error && <div className="fr-error-text fr-mt-0">{error}</div>}
    </div>
  );
}
