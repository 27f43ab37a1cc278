import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { Empty, Loading, PageTitle, ProblemAlert, StateBadge, Timeline } from '../layout/parts';
import { formatActor, formatCardNumber, formatDateTime, formatOrderRef } from '../lib/format';
import { letterKind, letterState, orderReason, orderStatus, orderStep } from '../lib/labels';
import { useSignedIn } from '../session/session';

type Decision = 'approve' | 'reject' | 'cancel';
const CANCELLABLE = ['requested', 'approved', 'failed'];

/** One order: its content, timeline and letters; approve (never one's own), reject or cancel. */
export function OrderPage() {
  const { id = '' } = useParams();
  const session = useSignedIn();
  const queries = useQueryClient();
  const [asking, setAsking] = useState<'reject' | 'cancel' | null>(null);
  const order = useQuery({
    queryKey: ['order', id],
    queryFn: async () => unwrap(await api.GET('/api/v1/orders/{id}', { params: { path: { id } } })),
  });
  const decide = useMutation({
    mutationFn: async ({ action, reason }: { action: Decision; reason?: string }) => {
      const path = { params: { path: { id } } };
      if (action === 'approve') return unwrap(await api.POST('/api/v1/orders/{id}/approve', path));
      const body = { reason: reason ?? '' };
      if (action === 'reject') return unwrap(await api.POST('/api/v1/orders/{id}/reject', { ...path, body }));
      return unwrap(await api.POST('/api/v1/orders/{id}/cancel', { ...path, body }));
    },
    onSuccess: () => {
      setAsking(null);
      void queries.invalidateQueries({ queryKey: ['order', id] });
      void queries.invalidateQueries({ queryKey: ['orders'] });
    },
  });

  if (order.isLoading) return <Loading />;
  if (!order.data) return <ProblemAlert error={order.error} title="Commande introuvable" />;
  const o = order.data;
  const own = o.requestedByPrincipal !== null && o.requestedByPrincipal === session.principal.id;
  const content = (o.content ?? {}) as { lastName?: string; firstName?: string };

  function askReason(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const reason = String(new FormData(e.currentTarget).get('reason') ?? '').trim();
    if (asking && reason) decide.mutate({ action: asking, reason });
  }

  return (
    <>
      <Breadcrumb
        segments={[{ label: 'Commandes', linkProps: { to: '/commandes' } }]}
        currentPageLabel={`Commande ${formatOrderRef(o.id)}`}
      />
      <PageTitle>
        Commande {formatOrderRef(o.id)} <StateBadge tone={o.status === 'requested' ? 'new' : 'info'}>{orderStatus(o.status)}</StateBadge>
      </PageTitle>
      <dl className="cpx-dl">
        <dt>Professionnel</dt>
        <dd>
          <Link to={`/professionnels/${o.nationalId}`}>
            {content.lastName ? `${content.lastName} ${content.firstName ?? ''} · ` : ''}
            {o.nationalId}
          </Link>
        </dd>
        <dt>Carte</dt>
        <dd>
          {o.cardType} · {o.professionLabel ?? o.professionCode}
          {o.generation ? ` · ${o.generation}` : ''}
        </dd>
        <dt>Motif</dt>
        <dd>{orderReason(o.reason)}</dd>
        {o.replacesCard && (
          <>
            <dt>Remplace</dt>
            <dd>la carte n° {formatCardNumber(o.replacesCard)}</dd>
          </>
        )}
        <dt>Demandée</dt>
        <dd>
          le {formatDateTime(o.requestedAt)} par {formatActor(o.requestedBy)}
        </dd>
        {o.approvedAt && (
          <>
            <dt>Approuvée</dt>
            <dd>
              le {formatDateTime(o.approvedAt)} par {formatActor(o.approvedBy)}
            </dd>
          </>
        )}
        {o.cardNumber && (
          <>
            <dt>Carte fabriquée</dt>
            <dd>n° {formatCardNumber(o.cardNumber)}</dd>
          </>
        )}
        {o.statusReason && (
          <>
            <dt>Motif de l’état</dt>
            <dd>{o.statusReason}</dd>
          </>
        )}
      </dl>

      {decide.data !== undefined && !decide.isPending && (
        <Alert severity="success" small description="Décision enregistrée." className="fr-mb-3w" />
      )}
      <ProblemAlert error={decide.error} title="La décision n’a pas été enregistrée" />
      {CANCELLABLE.includes(o.status) && (
        <section aria-labelledby="decision" className="fr-mb-4w">
          <h2 id="decision" className="fr-h4">
            Décision
          </h2>
          {o.status === 'requested' && own && (
            <p id="approbation-impossible" className="fr-message fr-message--info">
              Vous avez demandé cette commande : un autre opérateur doit l’approuver (principe des quatre yeux).
            </p>
          )}
          <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
            {o.status === 'requested' && (
              <li>
                <Button
                  disabled={own || decide.isPending}
                  onClick={() => decide.mutate({ action: 'approve' })}
                  iconId="fr-icon-check-line"
                  iconPosition="left"
                  nativeButtonProps={own ? { 'aria-describedby': 'approbation-impossible' } : undefined}
                >
                  Approuver
                </Button>
              </li>
            )}
            {o.status === 'requested' && (
              <li>
                <Button priority="secondary" onClick={() => setAsking('reject')} disabled={decide.isPending}>
                  Rejeter
                </Button>
              </li>
            )}
            {CANCELLABLE.includes(o.status) && (
              <li>
                <Button priority="tertiary" onClick={() => setAsking('cancel')} disabled={decide.isPending}>
                  Annuler la commande
                </Button>
              </li>
            )}
          </ul>
          {asking && (
            <form onSubmit={askReason} className="fr-mt-2w">
              <Input
                label={asking === 'reject' ? 'Motif du rejet' : 'Motif de l’annulation'}
                hintText="Conservé avec la commande et au journal d’audit."
                textArea
                nativeTextAreaProps={{ name: 'reason', required: true, maxLength: 1000, rows: 2, autoFocus: true }}
              />
              <ul className="fr-btns-group fr-btns-group--inline-md">
                <li>
                  <Button type="submit" disabled={decide.isPending}>
                    {asking === 'reject' ? 'Confirmer le rejet' : 'Confirmer l’annulation'}
                  </Button>
                </li>
                <li>
                  <Button priority="secondary" onClick={() => setAsking(null)}>
                    Ne rien faire
                  </Button>
                </li>
              </ul>
            </form>
          )}
        </section>
      )}

      <div className="fr-grid-row fr-grid-row--gutters">
        <section className="fr-col-12 fr-col-md-6" aria-labelledby="historique">
          <h2 id="historique" className="fr-h4">
            Historique
          </h2>
          <Timeline steps={o.timeline.map((t) => ({ ...t, label: orderStep(t.step) }))} />
        </section>
        <section className="fr-col-12 fr-col-md-6" aria-labelledby="courriers">
          <h2 id="courriers" className="fr-h4">
            Courriers
          </h2>
          {o.letters.length === 0 ? (
            <Empty>Aucun courrier pour l’instant.</Empty>
          ) : (
            <ul>
              {o.letters.map((l) => (
                <li key={l.id}>
                  {letterKind(l.kind)} : {letterState(l.state)}
                  {l.printedAt && ` le ${formatDateTime(l.printedAt)}`}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      {o.content && (
        <details className="fr-mt-3w">
          <summary>Contenu de la carte (figé à l’approbation)</summary>
          <pre className="fr-text--sm">{JSON.stringify(o.content, null, 2)}</pre>
        </details>
      )}
    </>
  );
}
