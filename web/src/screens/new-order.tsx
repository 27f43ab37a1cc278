import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { Loading, PageTitle, ProblemAlert } from '../layout/parts';
import { CARD_TYPE, orderStatus } from '../lib/labels';

/** A random key for the form (crypto.randomUUID exists only in secure contexts: a console opened over plain http has getRandomValues). */
function idempotencyKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A manual order from a professional's page. The form carries one Idempotency-Key from the moment
 * it is shown: a double click, or a retry after a lost answer, makes one order, not two.
 */
export function NewOrder() {
  const { nationalId = '' } = useParams();
  const [key] = useState(idempotencyKey);
  const professional = useQuery({
    queryKey: ['professional', nationalId],
    queryFn: async () => unwrap(await api.GET('/api/v1/professionals/{nationalId}', { params: { path: { nationalId } } })),
  });
  const create = useMutation({
    mutationFn: async (body: { professionCode: string; cardType: 'CPS' | 'CPF' | 'CPE' | 'CPA' }) =>
      unwrap(await api.POST('/api/v1/orders', { body: { nationalId, reason: 'manual', ...body }, headers: { 'Idempotency-Key': key } })),
  });

  if (professional.isLoading) return <Loading />;
  if (!professional.data) return <ProblemAlert error={professional.error} title="Professionnel introuvable" />;
  const p = professional.data;

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    create.mutate({ professionCode: String(f.get('professionCode')), cardType: String(f.get('cardType')) as 'CPS' });
  }

  return (
    <>
      <PageTitle lead={`${p.lastName} ${p.firstName} · ${p.nationalId}`}>Commander une carte</PageTitle>
      {create.data ? (
        <>
          <Alert
            severity="success"
            title="Commande enregistrée"
            description={`État : ${orderStatus(create.data.status)}. Un autre opérateur doit l’approuver avant sa fabrication.`}
            className="fr-mb-3w"
          />
          <Link className="fr-btn" to={`/commandes/${create.data.id}`}>
            Voir la commande
          </Link>
        </>
      ) : (
        <form onSubmit={submit}>
          <ProblemAlert error={create.error} title="La commande n’a pas été enregistrée" />
          <Select label="Profession" nativeSelectProps={{ name: 'professionCode', required: true }}>
            {p.professions.map((pr) => (
              <option key={pr.professionCode} value={pr.professionCode}>
                {pr.professionLabel ?? pr.professionCode} ({pr.professionCode})
              </option>
            ))}
          </Select>
          <RadioButtons
            legend="Type de carte"
            name="cardType"
            options={Object.entries(CARD_TYPE).map(([v, l]) => ({ label: l, nativeInputProps: { value: v, defaultChecked: v === 'CPS' } }))}
          />
          <ul className="fr-btns-group fr-btns-group--inline-md">
            <li>
              <Button type="submit" disabled={create.isPending}>
                {create.isPending ? 'Enregistrement…' : 'Commander'}
              </Button>
            </li>
            <li>
              <Link className="fr-btn fr-btn--secondary" to={`/professionnels/${nationalId}`}>
                Annuler
              </Link>
            </li>
          </ul>
        </form>
      )}
    </>
  );
}
