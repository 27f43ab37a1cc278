import { Link } from 'react-router';
import { homeOf } from '../session/roles';
import { useSignedIn } from '../session/session';

/** A screen reached by its address without the role: said plainly (the API refuses anyway). */
export function NotAllowed() {
  const { roles } = useSignedIn();
  return (
    <div className="fr-my-4w">
      <h1 tabIndex={-1}>Accès non autorisé</h1>
      <p className="fr-text--lead">Votre rôle ne donne pas accès à cette page.</p>
      <p>Si vous pensez en avoir besoin, demandez à un administrateur de la console de vous attribuer le rôle correspondant.</p>
      <Link className="fr-btn" to={homeOf(roles)}>
        Revenir à mon accueil
      </Link>
    </div>
  );
}

export function NotFound() {
  return (
    <div className="fr-my-4w">
      <h1 tabIndex={-1}>Page introuvable</h1>
      <p className="fr-text--lead">L’adresse saisie ne correspond à aucune page de la console.</p>
      <Link className="fr-btn" to="/">
        Revenir à l’accueil
      </Link>
    </div>
  );
}
