import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { DataTable, Empty, Loading, PageTitle, ProblemAlert, StateBadge, Timeline } from '../layout/parts';
import { formatCardNumber, formatDate, formatDateTime } from '../lib/format';
import { cardState, cardStep, letterKind, letterState, oppositionReason, registryEvent } from '../lib/labels';
import { mayUse } from '../session/roles';
import { useSignedIn } from '../session/session';

type Professional = Awaited<ReturnType<typeof loadProfessional>>;

async function loadProfessional(nationalId: string) {
  return unwrap(await api.GET('/api/v1/professionals/{nationalId}', { params: { path: { nationalId } } }));
}

/** A professional: identity, professions, practice situations, cards with their timeline and letters, registry events. */
export function ProfessionalPage() {
  const { nationalId = '' } = useParams();
  const { roles } = useSignedIn();
  const q = useQuery({ queryKey: ['professional', nationalId], queryFn: () => loadProfessional(nationalId) });
  if (q.isLoading) return <Loading />;
  if (q.error || !q.data) return <ProblemAlert error={q.error} title="Professionnel introuvable" />;
  const p = q.data;
  return (
    <>
      <Breadcrumb segments={[{ label: 'Recherche', linkProps: { to: '/' } }]} currentPageLabel={`${p.lastName} ${p.firstName}`} />
      <PageTitle>
        {p.lastName} {p.firstName}{' '}
        {p.status === 'ceased' ? (
          <StateBadge tone="warning">Cessation d’activité</StateBadge>
        ) : (
          <StateBadge tone="success">En exercice</StateBadge>
        )}
      </PageTitle>
      <dl className="cpx-dl">
        <dt>Identifiant national</dt>
        <dd>{p.nationalId}</dd>
        <dt>Type d’identifiant</dt>
        <dd>{p.idType === '8' ? 'RPPS' : p.idType === '0' ? 'ADELI' : p.idType}</dd>
        {p.ceasedAt && (
          <>
            <dt>Cessation</dt>
            <dd>{formatDate(p.ceasedAt)}</dd>
          </>
        )}
        {p.migratedTo && (
          <>
            <dt>Migré vers</dt>
            <dd>
              <Link to={`/professionnels/${p.migratedTo}`}>{p.migratedTo}</Link>
            </dd>
          </>
        )}
      </dl>
      {mayUse(roles, 'orders') && p.status !== 'ceased' && (
        <Link
          className="fr-btn fr-btn--secondary fr-icon-add-line fr-btn--icon-left fr-mb-4w"
          to={`/professionnels/${p.nationalId}/commande`}
        >
          Commander une carte
        </Link>
      )}
      <Professions p={p} />
      <h2 className="fr-h3 fr-mt-4w">Cartes</h2>
      {p.cards.length === 0 ? <Empty>Aucune carte.</Empty> : p.cards.map((c) => <CardPanel key={c.cardNumber} cardNumber={c.cardNumber} />)}
      <Events p={p} />
    </>
  );
}

function Professions({ p }: { p: Professional }) {
  return (
    <>
      <h2 className="fr-h3">Professions et situations d’exercice</h2>
      {p.professions.length === 0 ? (
        <Empty>Aucune profession au registre.</Empty>
      ) : (
        <DataTable
          caption="Professions"
          headers={['Profession', 'Code', 'Catégorie', 'Spécialité']}
          rows={p.professions.map((pr) => [pr.professionLabel ?? '—', pr.professionCode, pr.categoryCode ?? '—', pr.specialtyCode ?? '—'])}
        />
      )}
      {p.situations.length > 0 && (
        <DataTable
          caption="Situations d’exercice"
          headers={['Profession', 'Structure', 'Adresse', 'SIRET / FINESS']}
          rows={p.situations.map((s) => [
            s.professionLabel ?? s.professionCode,
            s.siteName ?? '—',
            [s.streetNumber, s.streetTypeLabel, s.streetLabel, s.postalCode, s.city].filter(Boolean).join(' ') || '—',
            s.siret ?? s.finessSite ?? '—',
          ])}
        />
      )}
    </>
  );
}

function Events({ p }: { p: Professional }) {
  const events = p.events ?? [];
  return (
    <>
      <h2 className="fr-h3 fr-mt-4w">Événements du registre</h2>
      {events.length === 0 ? (
        <Empty>Aucun événement du registre ne concerne ce professionnel.</Empty>
      ) : (
        <DataTable
          caption="Événements du registre qui ont concerné ce professionnel"
          headers={['Date', 'Événement', 'Profession']}
          rows={events.map((e) => [formatDate(e.asOf ?? e.createdAt), registryEvent(e.kind), e.professionLabel ?? e.professionCode ?? '—'])}
        />
      )}
    </>
  );
}

/** One card: its state, validity, timeline (ordered → opposed) and letters; the opposition button while it is not opposed. */
function CardPanel({ cardNumber }: { cardNumber: string }) {
  const { roles } = useSignedIn();
  const q = useQuery({
    queryKey: ['card', cardNumber],
    queryFn: async () => unwrap(await api.GET('/api/v1/cards/{cardNumber}', { params: { path: { cardNumber } } })),
  });
  if (q.isLoading) return <Loading />;
  if (!q.data) return <ProblemAlert error={q.error} />;
  const c = q.data;
  const opposed = c.state === 'opposed';
  return (
    <section className="cpx-panel fr-mb-3w" aria-labelledby={`carte-${c.cardNumber}`}>
      <div>
        <div>
          <h3 className="fr-h5" id={`carte-${c.cardNumber}`}>
            Carte {c.cardType} n° {formatCardNumber(c.cardNumber)}{' '}
            <StateBadge tone={opposed ? 'error' : c.state === 'active' ? 'success' : 'info'}>{cardState(c.state)}</StateBadge>
          </h3>
          <div>
            <dl className="cpx-dl">
              <dt>Profession</dt>
              <dd>{c.professionLabel ?? c.professionCode}</dd>
              <dt>Validité</dt>
              <dd>
                du {formatDate(c.validFrom)} au {formatDate(c.validUntil)}
              </dd>
              {opposed && (
                <>
                  <dt>Opposition</dt>
                  <dd>
                    {oppositionReason(c.oppositionReason)}, le {formatDateTime(c.opposedAt)}
                  </dd>
                </>
              )}
              {c.replacesCard && (
                <>
                  <dt>Remplace</dt>
                  <dd>la carte n° {formatCardNumber(c.replacesCard)}</dd>
                </>
              )}
            </dl>
            <div className="fr-grid-row fr-grid-row--gutters">
              <div className="fr-col-12 fr-col-md-6">
                <h4 className="fr-h6">Historique</h4>
                <Timeline
                  steps={c.timeline.map((t) => ({
                    ...t,
                    label: cardStep(t.step),
                    reason: t.reason && t.step === 'opposed' ? oppositionReason(t.reason) : t.reason,
                  }))}
                />
              </div>
              <div className="fr-col-12 fr-col-md-6">
                <h4 className="fr-h6">Courriers</h4>
                {c.letters.length === 0 ? (
                  <Empty>Aucun courrier.</Empty>
                ) : (
                  <ul>
                    {c.letters.map((l) => (
                      <li key={l.id}>
                        {letterKind(l.kind)}
                        {l.reprintOf ? ' (réimpression)' : ''} : {letterState(l.state)}
                        {l.printedAt && ` le ${formatDate(l.printedAt)}`}
                        {l.batchNumber !== null && <span className="cpx-muted"> · lot {l.batchNumber}</span>}
                        {l.kind === 'pin-letter' && l.state === 'printed' && !opposed && mayUse(roles, 'jobs') && (
                          <ReprintRequest letterId={l.id} />
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </div>
          </div>
        </div>
        <div className="fr-mt-2w">
          <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
            {!opposed && mayUse(roles, 'opposition') && (
              <li>
                <Link
                  className="fr-btn fr-btn--secondary fr-icon-error-warning-line fr-btn--icon-left"
                  to={`/cartes/${c.cardNumber}/opposition`}
                >
                  Déclarer une opposition
                </Link>
              </li>
            )}
            {c.orderId && mayUse(roles, 'orders') && (
              <li>
                <Link className="fr-btn fr-btn--tertiary" to={`/commandes/${c.orderId}`}>
                  Voir la commande
                </Link>
              </li>
            )}
          </ul>
        </div>
      </div>
    </section>
  );
}

/** Asks that a printed letter of the codes be printed again (within the reprint window); another operator decides in Travaux et courriers. */
function ReprintRequest({ letterId }: { letterId: string }) {
  const [open, setOpen] = useState(false);
  const ask = useMutation({
    mutationFn: async (reason: string) =>
      unwrap(await api.POST('/api/v1/mailing/letters/{id}/reprint', { params: { path: { id: letterId } }, body: { reason } })),
  });
  if (ask.data) return <p className="fr-text--sm fr-mb-0">Réimpression demandée : un autre opérateur la décidera.</p>;
  if (!open) {
    return (
      <Button size="small" priority="tertiary" onClick={() => setOpen(true)} className="fr-ml-1w">
        Demander une réimpression
      </Button>
    );
  }
  return (
    <form
      onSubmit={(e: FormEvent<HTMLFormElement>) => {
        e.preventDefault();
        const reason = String(new FormData(e.currentTarget).get('reason') ?? '').trim();
        if (reason) ask.mutate(reason);
      }}
      className="fr-mt-1w"
    >
      <ProblemAlert error={ask.error} title="La demande n’a pas été enregistrée" />
      <Input label="Motif de la réimpression" nativeInputProps={{ name: 'reason', required: true, maxLength: 1000 }} />
      <Button type="submit" size="small" disabled={ask.isPending}>
        Demander
      </Button>
    </form>
  );
}
