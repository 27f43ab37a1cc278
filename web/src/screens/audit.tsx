import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { FilterForm, PagedList } from '../layout/list';
import { PageTitle, ProblemAlert, usePage } from '../layout/parts';
import { formatDateTime, formatNumber } from '../lib/format';

const ENTITIES: Record<string, string> = {
  card: 'Carte',
  card_order: 'Commande',
  crl: 'Liste d’opposition',
  rpps_import: 'Import du registre',
  rpps_event: 'Événement du registre',
  rpps_identifier_migration: 'Migration d’identifiant',
  mailing_batch: 'Lot de courriers',
  mailing_letter: 'Courrier',
  encoder_station: 'Poste d’encodage',
  job_run: 'Traitement',
  principal: 'Personne ou compte système',
  console_account: 'Compte de la console',
  api_token: 'Jeton d’API',
  renewal_run: 'Campagne de renouvellement',
  vault_key: 'Clé du coffre des codes',
};
const PAGE_SIZE = 50;

/** The audit trail with its filters, the chain's state and its check against the signed checkpoints. */
export function Audit() {
  const [params] = useSearchParams();
  const page = usePage();
  const filters = {
    entity: params.get('objet') || undefined,
    id: params.get('id') || undefined,
    from: params.get('du') || undefined,
    to: params.get('au') || undefined,
  };
  const trail = useQuery({
    queryKey: ['audit', filters, page],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/audit', {
          params: { query: { ...filters, entity: filters.entity as never, page: String(page), pageSize: String(PAGE_SIZE) } },
        }),
      ),
  });
  const verify = useMutation({ mutationFn: async () => unwrap(await api.GET('/api/v1/audit/verification', {})) });

  const v = verify.data;
  return (
    <>
      <PageTitle lead="Chaque action est inscrite dans une chaîne d’empreintes scellée par des points de contrôle signés, conservés hors de la base.">
        Journal d’audit
      </PageTitle>
      <section aria-labelledby="chaine" className="fr-mb-4w">
        <h2 id="chaine" className="fr-h4">
          Intégrité de la chaîne
        </h2>
        {trail.data && (
          <p>
            {formatNumber(trail.data.chain.size)} entrées chaînées
            {trail.data.chain.queued ? `, ${formatNumber(trail.data.chain.queued)} en attente de chaînage` : ''}
            {trail.data.checkpoint
              ? ` ; dernier point de contrôle signé le ${formatDateTime(trail.data.checkpoint.signedAt)} (taille ${formatNumber(trail.data.checkpoint.size)}).`
              : ' ; aucun point de contrôle signé.'}
          </p>
        )}
        <Button
          onClick={() => verify.mutate()}
          disabled={verify.isPending}
          iconId="fr-icon-shield-line"
          iconPosition="left"
          priority="secondary"
        >
          {verify.isPending ? 'Vérification en cours…' : 'Vérifier la chaîne'}
        </Button>
        <div aria-live="polite" className="fr-mt-2w">
          <ProblemAlert error={verify.error} title="La vérification n’a pas pu se faire" />
          {v &&
            (v.ok ? (
              <Alert
                severity="success"
                title="Chaîne intacte"
                description={`${formatNumber(v.entries)} entrées recalculées ; ${formatNumber(v.checkpoints.checked)} points de contrôle signés concordent.`}
              />
            ) : (
              <Alert
                severity="error"
                title="Chaîne contredite"
                description={
                  <ul>
                    {v.problems.map((p) => (
                      <li key={`${p.kind}-${p.message}`}>{p.message}</li>
                    ))}
                  </ul>
                }
              />
            ))}
        </div>
      </section>
      <FilterForm label="Filtrer le journal" path="/audit">
        <div className="fr-col-12 fr-col-md-3">
          <Select label="Objet" nativeSelectProps={{ name: 'objet', defaultValue: filters.entity ?? '' }}>
            <option value="">Tous</option>
            {Object.entries(ENTITIES).map(([k, l]) => (
              <option key={k} value={k}>
                {l}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Input label="Identifiant de l’objet" nativeInputProps={{ name: 'id', defaultValue: filters.id ?? '' }} />
        </div>
        <div className="fr-col-6 fr-col-md-2">
          <Input label="Du" nativeInputProps={{ name: 'du', type: 'date', defaultValue: filters.from ?? '' }} />
        </div>
        <div className="fr-col-6 fr-col-md-2">
          <Input label="Au" nativeInputProps={{ name: 'au', type: 'date', defaultValue: filters.to ?? '' }} />
        </div>
      </FilterForm>
      <PagedList
        query={trail}
        items={(d) => d.entries}
        id="entrees"
        count={['entrée', 'entrées']}
        empty="Aucune entrée ne correspond."
        caption="Entrées du journal, les plus anciennes d’abord"
        headers={['N°', 'Date', 'Acteur', 'Action', 'Objet', 'Identifiant']}
        row={(a) => [
          a.seq ?? <span className="cpx-muted">en attente</span>,
          formatDateTime(a.at),
          a.actor,
          <code key="a">{a.action}</code>,
          ENTITIES[a.entity] ?? a.entity,
          <span key="i" className="fr-text--sm cpx-id">
            {a.entityId}
          </span>,
        ]}
        page={page}
        pageSize={PAGE_SIZE}
      />
    </>
  );
}
