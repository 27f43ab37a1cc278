import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { type FormEvent, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { ProblemAlert } from '../layout/parts';

/** The one-time link of users:create (…/mot-de-passe#jeton=…): the person chooses their password. */
export function SetPassword() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('jeton') ?? '';
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [mismatch, setMismatch] = useState(false);
  useEffect(() => {
    document.title = 'Choisir un mot de passe — Console CPx';
  }, []);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get('password') ?? '');
    setMismatch(password !== String(form.get('confirm') ?? ''));
    if (password !== String(form.get('confirm') ?? '')) return;
    setError(null);
    try {
      unwrap(await api.POST('/api/v1/session/password', { body: { token, password } }));
      window.history.replaceState(null, '', window.location.pathname);
      setDone(true);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div className="fr-grid-row fr-grid-row--center fr-my-4w">
      <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
        <h1 tabIndex={-1}>Choisir votre mot de passe</h1>
        {done ? (
          <>
            <Alert severity="success" title="Mot de passe enregistré" description="Vous pouvez maintenant vous connecter." />
            <Link className="fr-btn fr-mt-3w" to="/">
              Se connecter
            </Link>
          </>
        ) : !token ? (
          <Alert
            severity="error"
            title="Lien incomplet"
            description="Ouvrez le lien reçu en entier, ou demandez-en un nouveau à un administrateur."
          />
        ) : (
          <form onSubmit={submit}>
            <ProblemAlert error={error} title="Mot de passe refusé" />
            <Input
              label="Nouveau mot de passe"
              hintText="12 caractères au moins ; une phrase de passe est plus sûre et plus facile à retenir."
              nativeInputProps={{
                name: 'password',
                type: 'password',
                autoComplete: 'new-password',
                minLength: 12,
                maxLength: 128,
                required: true,
              }}
            />
            <Input
              label="Confirmez le mot de passe"
              state={mismatch ? 'error' : 'default'}
              stateRelatedMessage={mismatch ? 'Les deux saisies diffèrent.' : undefined}
              nativeInputProps={{ name: 'confirm', type: 'password', autoComplete: 'new-password', required: true }}
            />
            <Button type="submit">Enregistrer</Button>
          </form>
        )}
      </div>
    </div>
  );
}
