import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { type FormEvent, useEffect, useState } from 'react';
import { ProblemAlert } from '../layout/parts';
import { useSession } from '../session/session';

/** Sign-in with a personal account (name or e-mail, and password). */
export function Login({ notice }: { notice?: string }) {
  const { signIn } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Connexion — Console CPx';
  }, []);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signIn(String(form.get('login') ?? '').trim(), String(form.get('password') ?? ''));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="fr-grid-row fr-grid-row--center fr-my-4w">
      <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
        <h1 tabIndex={-1}>Connexion à la console</h1>
        <p className="fr-text--lead">Réservée aux agents habilités de l’agence.</p>
        {notice && <Alert severity="info" small description={notice} className="fr-mb-3w" />}
        <ProblemAlert error={error} title="Connexion refusée" />
        <form onSubmit={submit} noValidate={false}>
          <fieldset className="fr-fieldset">
            <legend className="fr-fieldset__legend">Vos identifiants</legend>
            <div className="fr-fieldset__element">
              <Input
                label="Identifiant"
                hintText="Votre nom de compte ou votre adresse électronique"
                nativeInputProps={{ name: 'login', autoComplete: 'username', required: true, autoFocus: true }}
              />
            </div>
            <div className="fr-fieldset__element">
              <Input
                label="Mot de passe"
                nativeInputProps={{ name: 'password', type: 'password', autoComplete: 'current-password', required: true }}
              />
            </div>
          </fieldset>
          <Button type="submit" disabled={busy} iconId="fr-icon-lock-line" iconPosition="left">
            {busy ? 'Connexion…' : 'Se connecter'}
          </Button>
        </form>
        <p className="fr-mt-3w cpx-muted">
          Mot de passe oublié ou compte verrouillé : un administrateur vous envoie un nouveau lien. La session se ferme après une période
          d’inactivité.
        </p>
      </div>
    </div>
  );
}
