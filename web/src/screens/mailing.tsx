import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { PagedList } from '../layout/list';
import { DataTable, Empty, Loading, ProblemAlert, StateBadge, usePage } from '../layout/parts';
import { formatActor, formatCardNumber, formatDate, formatDateTime, formatNumber, formatOrderRef } from '../lib/format';
import { batchState, letterKind, letterState } from '../lib/labels';
import { useSignedIn } from '../session/session';

const PULL_OUT: Record<string, string> = {
  'card opposed': 'carte en opposition',
  'letter returned': 'courrier retourné',
  'opposition requested': 'opposition demandée',
};

/** Mailing batches, latest first; "Imprimé" records a ready batch printed and lists the letters to take out. */
export function MailingBatches() {
  const queries = useQueryClient();
  const page = usePage('lots');
  const batches = useQuery({
    queryKey: ['batches', page],
    placeholderData: keepPreviousData,
    refetchInterval: 5_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/mailing/batches', { params: { query: { page: String(page), pageSize: '20' } } })),
  });
  const printed = useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST('/api/v1/mailing/batches/{id}/printed', { params: { path: { id } } })),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['batches'] }),
  });
  const done = printed.data;
  return (
    <PagedList
      query={batches}
      items={(d) => d.items}
      id="lots"
      count={['lot', 'lots']}
      empty="Aucun lot de courriers."
      caption="Lots de courriers, les plus récents d’abord"
      headers={['Lot', 'Type', 'Jour', 'Courriers', 'État', 'Imprimé', '']}
      row={(b) => [
        `n° ${b.number}`,
        letterKind(b.kind),
        formatDate(b.asOf),
        formatNumber(b.letters),
        <StateBadge key="s" tone={b.state === 'printed' ? 'success' : b.state === 'ready' ? 'new' : 'info'}>
          {batchState(b.state)}
        </StateBadge>,
        b.printedAt ? `${formatDateTime(b.printedAt)} par ${formatActor(b.printedBy)}` : '—',
        b.state === 'ready' ? (
          <Button key="p" size="small" priority="secondary" onClick={() => printed.mutate(b.id)} disabled={printed.isPending}>
            Marquer imprimé
          </Button>
        ) : (
          ''
        ),
      ]}
      page={page}
      pageSize={20}
      param="lots"
    >
      <ProblemAlert error={printed.error} title="L’impression n’a pas été enregistrée" />
      {done && (
        <Alert
          severity={done.pullOut.length ? 'warning' : 'success'}
          title={`Lot n° ${done.number} enregistré imprimé`}
          description={
            <>
              {formatNumber(done.letters)} courriers imprimés
              {done.cardsSent ? `, ${formatNumber(done.cardsSent)} cartes envoyées` : ''}.
              {done.pullOut.length > 0 && (
                <>
                  {' '}
                  À retirer du lot avant l’envoi :
                  <ul>
                    {done.pullOut.map((p) => (
                      <li key={p.letterId}>
                        courrier n° {p.sequence} (carte …{p.cardLast4}) : {PULL_OUT[p.reason] ?? p.reason}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </>
          }
          className="fr-mb-3w"
        />
      )}
    </PagedList>
  );
}

/** Returned mail: the envelope's barcode finds the letter; declaring it returned opposes the card and orders a replacement. */
export function ReturnedLetter() {
  const [barcode, setBarcode] = useState('');
  const queries = useQueryClient();
  const letter = useQuery({
    queryKey: ['letter', barcode],
    enabled: barcode !== '',
    queryFn: async () => unwrap(await api.GET('/api/v1/mailing/letters', { params: { query: { barcode } } })),
  });
  const returned = useMutation({
    mutationFn: async (v: { id: string; comment?: string }) =>
      unwrap(
        await api.POST('/api/v1/mailing/letters/{id}/returned', {
          params: { path: { id: v.id } },
          body: { barcode, ...(v.comment ? { comment: v.comment } : {}) },
        }),
      ),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['letter', barcode] }),
  });

  function find(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    returned.reset();
    setBarcode(
      String(new FormData(e.currentTarget).get('barcode') ?? '')
        .trim()
        .toUpperCase(),
    );
  }

  function declare(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!letter.data) return;
    const comment = String(new FormData(e.currentTarget).get('comment') ?? '').trim();
    returned.mutate({ id: letter.data.id, comment: comment || undefined });
  }

  const l = letter.data;
  return (
    <section aria-labelledby="retour">
      <h2 id="retour" className="fr-h4">
        Déclarer un courrier retourné (NPAI)
      </h2>
      <form onSubmit={find} className="fr-mb-3w">
        <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <div className="fr-col-12 fr-col-md-6">
            <Input
              label="Code-barres de l’enveloppe"
              hintText="Lu à la douchette ou saisi : B<lot>-<numéro>, par exemple B12-0034."
              nativeInputProps={{ name: 'barcode', autoComplete: 'off', required: true }}
            />
          </div>
          <div className="fr-col-12 fr-col-md-3 fr-mb-3w">
            <Button type="submit" priority="secondary" iconId="fr-icon-search-line" iconPosition="left">
              Retrouver le courrier
            </Button>
          </div>
        </div>
      </form>
      <ProblemAlert error={letter.error} title="Courrier introuvable" />
      {l && (
        <>
          <dl className="cpx-dl">
            <dt>Courrier</dt>
            <dd>
              {letterKind(l.kind)} · lot n° {l.batchNumber ?? '—'}, n° {l.sequence ?? '—'}
            </dd>
            <dt>Carte</dt>
            <dd>n° {formatCardNumber(l.cardNumber)}</dd>
            <dt>État</dt>
            <dd>
              {letterState(l.state)}
              {l.printedAt && ` le ${formatDate(l.printedAt)}`}
            </dd>
          </dl>
          <ProblemAlert error={returned.error} title="Le retour n’a pas été enregistré" />
          {returned.data ? (
            <Alert
              severity="success"
              title="Retour enregistré"
              description={
                returned.data.oppositionRequested
                  ? `La carte n° ${formatCardNumber(returned.data.cardNumber)} est mise en opposition (non-réception)${returned.data.replacementOrderId ? ` et une carte de remplacement est commandée (commande ${formatOrderRef(returned.data.replacementOrderId)}).` : '.'}`
                  : `Aucune nouvelle opposition : ${returned.data.reason ?? 'la carte était déjà traitée'}.`
              }
            />
          ) : l.state === 'printed' ? (
            <form onSubmit={declare}>
              <Alert
                severity="warning"
                small
                description="Déclarer ce courrier retourné met sa carte en opposition (non-réception), de façon définitive, et commande une carte de remplacement."
                className="fr-mb-2w"
              />
              <Input label="Commentaire (facultatif)" nativeInputProps={{ name: 'comment', maxLength: 1000 }} />
              <Button type="submit" disabled={returned.isPending}>
                Déclarer retourné
              </Button>
            </form>
          ) : (
            <p>Ce courrier n’est pas à l’état « imprimé » : il ne peut pas être déclaré retourné.</p>
          )}
        </>
      )}
    </section>
  );
}

/** Reprint requests of letters of the codes: another operator than the one who asked approves or rejects. */
export function Reprints() {
  const session = useSignedIn();
  const queries = useQueryClient();
  const reprints = useQuery({
    queryKey: ['reprints'],
    queryFn: async () => unwrap(await api.GET('/api/v1/mailing/reprints', { params: { query: { state: 'pending' } } })),
  });
  const decide = useMutation({
    mutationFn: async ({ id, approve }: { id: string; approve: boolean }) => {
      const path = { params: { path: { id } } };
      return approve
        ? unwrap(await api.POST('/api/v1/mailing/reprints/{id}/approve', path))
        : unwrap(await api.POST('/api/v1/mailing/reprints/{id}/reject', path));
    },
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['reprints'] }),
  });
  if (reprints.isLoading) return <Loading />;
  if (!reprints.data) return <ProblemAlert error={reprints.error} />;
  return (
    <section aria-labelledby="reimpressions">
      <h2 id="reimpressions" className="fr-h4">
        Réimpressions à décider
      </h2>
      <ProblemAlert error={decide.error} title="La décision n’a pas été enregistrée" />
      {reprints.data.items.length === 0 ? (
        <Empty>Aucune demande de réimpression en attente.</Empty>
      ) : (
        <DataTable
          caption="Demandes de réimpression en attente"
          headers={['Carte', 'Motif', 'Demandée', 'Décision']}
          rows={reprints.data.items.map((r) => {
            const own = r.requestedByPrincipal === session.principal.id;
            return [
              `n° ${formatCardNumber(r.cardNumber)}`,
              r.reason,
              `${formatDateTime(r.requestedAt)} par ${formatActor(r.requestedBy)}`,
              own ? (
                <span key="o" className="cpx-muted">
                  Votre demande : un autre opérateur décide.
                </span>
              ) : (
                <span key="d">
                  <Button size="small" onClick={() => decide.mutate({ id: r.id, approve: true })} disabled={decide.isPending}>
                    Approuver
                  </Button>{' '}
                  <Button
                    size="small"
                    priority="secondary"
                    onClick={() => decide.mutate({ id: r.id, approve: false })}
                    disabled={decide.isPending}
                  >
                    Rejeter
                  </Button>
                </span>
              ),
            ];
          })}
        />
      )}
      <p className="cpx-muted">
        Une réimpression se demande depuis la fiche de la carte, dans la fenêtre de réimpression qui suit la première impression.{' '}
        <Link to="/">Rechercher</Link>
      </p>
    </section>
  );
}
