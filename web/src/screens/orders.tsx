import { Select } from '@codegouvfr/react-dsfr/Select';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { FilterForm, PagedList } from '../layout/list';
import { PageTitle, StateBadge, usePage } from '../layout/parts';
import { formatActor, formatAge, formatDateTime, formatOrderRef } from '../lib/format';
import { CARD_TYPE, ORDER_REASON, ORDER_STATUS, orderReason, orderStatus } from '../lib/labels';

const PAGE_SIZE = 25;
const AGES = [
  { value: '', label: 'Toutes' },
  { value: '2', label: 'Plus de 2 jours' },
  { value: '7', label: 'Plus de 7 jours' },
  { value: '30', label: 'Plus de 30 jours' },
];

type Filters = { status?: string; reason?: string; cardType?: string; olderThanDays?: number };

/** The operators' work queue: orders by state (those to approve first), reason, card type and age. */
export function Orders() {
  const [params] = useSearchParams();
  const page = usePage();
  const filters: Filters = {
    status: params.get('etat') ?? 'requested',
    reason: params.get('motif') || undefined,
    cardType: params.get('type') || undefined,
    olderThanDays: params.get('age') ? Number(params.get('age')) : undefined,
  };
  if (filters.status === 'tous') filters.status = undefined;
  const q = useQuery({
    queryKey: ['orders', filters, page],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/orders', {
          params: {
            query: {
              status: filters.status as never,
              reason: filters.reason as never,
              cardType: filters.cardType as never,
              olderThanDays: filters.olderThanDays === undefined ? undefined : String(filters.olderThanDays),
              page: String(page),
              pageSize: String(PAGE_SIZE),
            },
          },
        }),
      ),
  });

  return (
    <>
      <PageTitle lead="Les commandes à traiter : une commande demandée par une personne attend l’approbation d’une autre.">
        Commandes
      </PageTitle>
      <FilterForm label="Filtrer les commandes" path="/commandes">
        <div className="fr-col-12 fr-col-md-3">
          <Select label="État" nativeSelectProps={{ name: 'etat', defaultValue: params.get('etat') ?? 'requested' }}>
            <option value="tous">Tous</option>
            {Object.entries(ORDER_STATUS).map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Select label="Motif" nativeSelectProps={{ name: 'motif', defaultValue: params.get('motif') ?? '' }}>
            <option value="">Tous</option>
            {Object.entries(ORDER_REASON).map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-2">
          <Select label="Type de carte" nativeSelectProps={{ name: 'type', defaultValue: params.get('type') ?? '' }}>
            <option value="">Tous</option>
            {Object.keys(CARD_TYPE).map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-2">
          <Select label="Ancienneté" nativeSelectProps={{ name: 'age', defaultValue: params.get('age') ?? '' }}>
            {AGES.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </Select>
        </div>
      </FilterForm>
      <PagedList
        query={q}
        items={(d) => d.items}
        id="liste-commandes"
        count={['commande', 'commandes']}
        live
        empty="Aucune commande ne correspond à ces filtres."
        caption="Commandes"
        headers={['Commande', 'Professionnel', 'Carte', 'Motif', 'État', 'Demandée', 'Par']}
        row={(o) => [
          <Link key="o" to={`/commandes/${o.id}`} title={`Commande ${o.id}`}>
            {formatOrderRef(o.id)}
          </Link>,
          <Link key="p" to={`/professionnels/${o.nationalId}`}>
            {o.nationalId}
          </Link>,
          `${o.cardType} · ${o.professionLabel ?? o.professionCode}`,
          orderReason(o.reason),
          <StateBadge key="s" tone={o.status === 'requested' ? 'new' : o.status === 'failed' || o.status === 'rejected' ? 'error' : 'info'}>
            {orderStatus(o.status)}
          </StateBadge>,
          <span key="d" title={formatDateTime(o.requestedAt)}>
            il y a {formatAge(o.requestedAt)}
          </span>,
          formatActor(o.requestedBy),
        ]}
        page={page}
        pageSize={PAGE_SIZE}
      />
    </>
  );
}
