import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { Loading, PageTitle, ProblemAlert, StateBadge } from '../layout/parts';
import { formatCardNumber, formatDate, formatDateTime, formatOrderRef } from '../lib/format';
import { CHANNEL, cardState, OPPOSITION_REASON, oppositionReason } from '../lib/labels';
import { parisToday } from '../lib/today';
import { mayUse } from '../session/roles';
import { useSignedIn } from '../session/session';

/** What a person may declare (expiry and replacement are recorded by the system). */
const REASONS = ['loss', 'theft', 'non-receipt', 'malfunction', 'cessation'] as const;
const CHANNELS = ['phone', 'form', 'portal'] as const;
/** What the helpdesk checks of the caller before declaring; the first two are required. */
const CHECKS = [
  { id: 'identity', label: 'Nom, prénom et date de naissance confirmés par l’appelant', required: true },
  { id: 'nationalId', label: 'Identifiant national (RPPS ou ADELI) confirmé', required: true },
  { id: 'address', label: 'Adresse d’exercice confirmée' },
  { id: 'cardNumber', label: 'Numéro de la carte (ou ses 4 derniers chiffres) confirmé' },
  { id: 'callback', label: 'Rappel au numéro connu du professionnel' },
] as const;

interface Draft {
  reason: string;
  channel: string;
  checks: string[];
  invalidityDate?: string;
  comment?: string;
}

/** Declare an opposition: a form, then a confirmation that says it is final, then the result (replacement order included). */
export function DeclareOpposition() {
  const { cardNumber = '' } = useParams();
  const { roles } = useSignedIn();
  const queries = useQueryClient();
  const [draft, setDraft] = useState<Draft | null>(null);
  /** What was typed, kept when the person comes back from the confirmation to the form. */
  const [typed, setTyped] = useState<Draft | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const card = useQuery({
    queryKey: ['card', cardNumber],
    queryFn: async () => unwrap(await api.GET('/api/v1/cards/{cardNumber}', { params: { path: { cardNumber } } })),
  });
  const declare = useMutation({
    mutationFn: async (d: Draft) =>
      unwrap(
        await api.POST('/api/v1/cards/{cardNumber}/oppositions', {
          params: { path: { cardNumber } },
          body: {
            reason: d.reason,
            channel: d.channel as (typeof CHANNELS)[number],
            verification: CHECKS.filter((c) => d.checks.includes(c.id))
              .map((c) => c.label)
              .join(' ; '),
            ...(d.comment ? { comment: d.comment } : {}),
            ...(d.invalidityDate ? { invalidityDate: d.invalidityDate } : {}),
          },
        }),
      ),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['card', cardNumber] });
      void queries.invalidateQueries({ queryKey: ['professional'] });
    },
  });

  if (card.isLoading) return <Loading />;
  if (!card.data) return <ProblemAlert error={card.error} title="Carte introuvable" />;
  const c = card.data;
  const back = `/professionnels/${c.nationalId}`;

  if (declare.data) {
    const o = declare.data;
    return (
      <>
        <PageTitle>Opposition de la carte n° {formatCardNumber(cardNumber)}</PageTitle>
        <Alert
          severity={o.created ? 'success' : 'info'}
          title={o.created ? 'La carte est en opposition' : 'Cette carte était déjà en opposition'}
          description={
            o.created
              ? `Motif : ${oppositionReason(o.reason)}. La carte figure sur la prochaine liste d’opposition publiée et ne peut plus être utilisée.`
              : `Opposition existante du ${formatDateTime(o.opposedAt)} (motif : ${oppositionReason(o.reason)}, déclarée par ${o.declaredBy}). Rien n’a été modifié.`
          }
          className="fr-mb-3w"
        />
        {o.replacementOrderId ? (
          <Alert
            severity="info"
            title="Commande de remplacement"
            description={
              <>
                Une nouvelle carte a été commandée : commande{' '}
                {mayUse(roles, 'orders') ? (
                  <Link to={`/commandes/${o.replacementOrderId}`} title={o.replacementOrderId}>
                    {formatOrderRef(o.replacementOrderId)}
                  </Link>
                ) : (
                  <span title={o.replacementOrderId}>{formatOrderRef(o.replacementOrderId)}</span>
                )}
                . Elle suit son cours (approbation, fabrication, envoi).
              </>
            }
            className="fr-mb-3w"
          />
        ) : (
          o.created && <p>Aucune carte de remplacement n’est commandée pour ce motif.</p>
        )}
        <Link className="fr-btn" to={back}>
          Revenir à la fiche du professionnel
        </Link>
      </>
    );
  }

  if (c.state === 'opposed') {
    return (
      <>
        <PageTitle>Opposition de la carte n° {formatCardNumber(cardNumber)}</PageTitle>
        <Alert
          severity="info"
          title="Cette carte est déjà en opposition"
          description={`Depuis le ${formatDateTime(c.opposedAt)}, motif : ${oppositionReason(c.oppositionReason)}. Une opposition est définitive.`}
          className="fr-mb-3w"
        />
        <Link className="fr-btn" to={back}>
          Revenir à la fiche du professionnel
        </Link>
      </>
    );
  }

  function review(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const d: Draft = {
      reason: String(f.get('reason') ?? ''),
      channel: String(f.get('channel') ?? ''),
      checks: f.getAll('checks').map(String),
      invalidityDate: String(f.get('invalidityDate') ?? '') || undefined,
      comment: String(f.get('comment') ?? '').trim() || undefined,
    };
    const missing: string[] = [];
    if (!d.reason) missing.push('Choisissez le motif.');
    if (!d.channel) missing.push('Choisissez le canal de la déclaration.');
    for (const check of CHECKS)
      if ('required' in check && !d.checks.includes(check.id)) missing.push(`Vérification obligatoire : ${check.label}.`);
    if (d.invalidityDate && d.reason !== 'loss' && d.reason !== 'theft')
      missing.push('La date d’invalidité ne vaut que pour une perte ou un vol.');
    if (d.invalidityDate && d.invalidityDate > parisToday()) missing.push('La date d’invalidité ne peut pas être dans le futur.');
    setTyped(d);
    setProblems(missing);
    if (missing.length === 0) setDraft(d);
  }

  return (
    <>
      <PageTitle lead={`${c.lastName} ${c.firstName} · ${c.professionLabel ?? c.professionCode}`}>
        Déclarer une opposition sur la carte n° {formatCardNumber(cardNumber)}
      </PageTitle>
      <p>
        Carte {c.cardType}, <StateBadge tone="info">{cardState(c.state)}</StateBadge> valable jusqu’au {formatDate(c.validUntil)}.
      </p>
      {draft ? (
        <section aria-labelledby="confirmer" className="fr-mt-4w">
          <h2 id="confirmer" className="fr-h4">
            Confirmer l’opposition
          </h2>
          <Alert
            severity="warning"
            title="Cette opposition est définitive"
            description={`La carte n° ${formatCardNumber(cardNumber)} de ${c.lastName} ${c.firstName} ne pourra plus jamais être utilisée, même si elle est retrouvée. Motif : ${oppositionReason(draft.reason)} ; canal : ${CHANNEL[draft.channel as (typeof CHANNELS)[number]]}.`}
            className="fr-mb-3w"
          />
          <ProblemAlert error={declare.error} title="L’opposition n’a pas été enregistrée" />
          <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
            <li>
              <Button
                onClick={() => declare.mutate(draft)}
                disabled={declare.isPending}
                iconId="fr-icon-error-warning-line"
                iconPosition="left"
              >
                {declare.isPending ? 'Enregistrement…' : 'Mettre la carte en opposition'}
              </Button>
            </li>
            <li>
              <Button priority="secondary" onClick={() => setDraft(null)} disabled={declare.isPending}>
                Revenir au formulaire
              </Button>
            </li>
          </ul>
        </section>
      ) : (
        <form onSubmit={review} noValidate>
          {problems.length > 0 && (
            <Alert
              severity="error"
              title="Le formulaire est incomplet"
              description={
                <ul>
                  {problems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              }
              className="fr-mb-3w"
              role="alert"
            />
          )}
          <RadioButtons
            legend="Motif"
            name="reason"
            options={REASONS.map((r) => ({
              label: OPPOSITION_REASON[r],
              nativeInputProps: { value: r, defaultChecked: typed?.reason === r },
            }))}
          />
          <Select label="Canal de la déclaration" nativeSelectProps={{ name: 'channel', defaultValue: typed?.channel ?? 'phone' }}>
            {CHANNELS.map((ch) => (
              <option key={ch} value={ch}>
                {CHANNEL[ch]}
              </option>
            ))}
          </Select>
          <Checkbox
            legend="Vérifications d’identité faites"
            hintText="Les deux premières sont obligatoires avant toute opposition."
            options={CHECKS.map((ch) => ({
              label: `${ch.label}${'required' in ch ? ' (obligatoire)' : ''}`,
              nativeInputProps: { name: 'checks', value: ch.id, defaultChecked: typed?.checks.includes(ch.id) },
            }))}
          />
          <Input
            label="Date d’invalidité (perte ou vol, facultatif)"
            hintText="Depuis quand la carte a pu être utilisée par un tiers."
            nativeInputProps={{ name: 'invalidityDate', type: 'date', max: parisToday(), defaultValue: typed?.invalidityDate }}
          />
          <Input
            label="Commentaire (facultatif)"
            textArea
            nativeTextAreaProps={{ name: 'comment', maxLength: 2000, rows: 3, defaultValue: typed?.comment }}
          />
          <ul className="fr-btns-group fr-btns-group--inline-md">
            <li>
              <Button type="submit">Vérifier avant de déclarer</Button>
            </li>
            <li>
              <Link className="fr-btn fr-btn--secondary" to={back}>
                Annuler
              </Link>
            </li>
          </ul>
        </form>
      )}
    </>
  );
}
