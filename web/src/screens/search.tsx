import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { ApiProblem, unwrap } from '../api/problem';
import { PagedList } from '../layout/list';
import { Empty, PageTitle, StateBadge, usePage } from '../layout/parts';
import { formatCardNumber } from '../lib/format';
import { cardState } from '../lib/labels';

const PAGE_SIZE = 20;

/** One box: a name (accents and case ignored, the start of it is enough), a national identifier or a card number. */
export function Search() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const q = params.get('q')?.trim() ?? '';
  const page = usePage();
  const results = useQuery({
    queryKey: ['search', q, page],
    enabled: q.length >= 2,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/search', { params: { query: { q, page: String(page), pageSize: String(PAGE_SIZE) } } })),
  });

  // The API refused q (400 validation_failed): say in French what the box expects.
  const refusal = results.error instanceof ApiProblem && results.error.code === 'validation_failed' ? searchRefusal(q) : null;

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const text = String(new FormData(e.currentTarget).get('q') ?? '').trim();
    void navigate(text ? `/?q=${encodeURIComponent(text)}` : '/');
  }

  return (
    <>
      <PageTitle lead="Retrouvez un professionnel par son nom, son identifiant national (RPPS ou ADELI) ou le numéro d’une de ses cartes.">
        Rechercher un professionnel
      </PageTitle>
      <search>
        <form onSubmit={submit} className="fr-mb-4w" aria-label="Recherche de professionnel">
          <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
            <div className="fr-col-12 fr-col-md-9">
              <Input
                label="Nom, identifiant national ou numéro de carte"
                state={refusal ? 'error' : 'default'}
                stateRelatedMessage={refusal ?? undefined}
                hintText="Exemples : « lefevre mar », « jean dup », « 810000000355 » (identifiant national), « 2900001260 » (carte). Les accents et les majuscules sont ignorés."
                nativeInputProps={{ name: 'q', defaultValue: q, type: 'search', autoComplete: 'off', minLength: 2, key: q }}
              />
            </div>
            <div className="fr-col-12 fr-col-md-3 fr-mb-3w">
              <Button type="submit" iconId="fr-icon-search-line" iconPosition="left">
                Rechercher
              </Button>
            </div>
          </div>
        </form>
      </search>
      {q.length === 1 && <Empty>Saisissez au moins deux caractères.</Empty>}
      <PagedList
        query={refusal ? { ...results, error: null } : results}
        items={(d) => d.items}
        id="resultats"
        count={['professionnel trouvé', 'professionnels trouvés']}
        live
        loading="Recherche en cours…"
        empty="Aucun professionnel ne correspond. Vérifiez l’orthographe, ou essayez le début du nom seulement."
        caption={`Résultats de la recherche « ${q} »`}
        headers={['Nom', 'Prénom', 'Identifiant national', 'Professions', '']}
        row={(p) => [
          <Link key="n" to={`/professionnels/${p.nationalId}`}>
            {p.lastName}
          </Link>,
          p.firstName,
          <span key="i" className="cpx-nowrap">
            {p.nationalId}
          </span>,
          p.professionLabels.join(', ') || p.professions.join(', '),
          <span key="s">
            {p.ceased && <StateBadge tone="warning">Cessation d’activité</StateBadge>}{' '}
            {p.matchedCard && (
              <StateBadge tone={p.matchedCard.status === 'opposed' ? 'error' : 'info'}>
                Carte {formatCardNumber(p.matchedCard.cardNumber)} · {cardState(p.matchedCard.status)}
              </StateBadge>
            )}
          </span>,
        ]}
        page={page}
        pageSize={PAGE_SIZE}
      />
    </>
  );
}

/** Why the API refused `q`, in French: what the box expects of a number, or of a name. */
export function searchRefusal(q: string): string {
  if (/^[\d\s.-]+$/.test(q)) {
    const n = q.replace(/[\s.-]+/g, '').length;
    return `${n} chiffres : un identifiant national en compte 12 (8 puis le numéro RPPS) ou 10 (0 puis le numéro ADELI), un numéro RPPS 11, un numéro ADELI 9 et un numéro de carte 10.`;
  }
  return 'Saisissez au moins deux lettres au début du nom (par exemple « dupont jean » ou « dup »).';
}
