/** An API refusal (application/problem+json), with its stable code and the French sentence the console shows. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(problemText(status, code, detail));
    this.name = 'ApiProblem';
  }
}

/** What the console says for the codes a person meets; the API's own (English) detail otherwise. */
const FRENCH: Record<string, string> = {
  unauthenticated: 'Vous n’êtes pas connecté, ou votre session a pris fin.',
  session_expired: 'Votre session a expiré faute d’activité. Reconnectez-vous.',
  invalid_credentials: 'Identifiant ou mot de passe incorrect.',
  account_locked: 'Ce compte est verrouillé après plusieurs essais infructueux. Réessayez plus tard ou demandez un nouveau lien.',
  weak_password: 'Ce mot de passe ne convient pas : 12 caractères au moins, différent de votre nom et de votre adresse électronique.',
  invalid_password_link: 'Ce lien n’est plus valable (déjà utilisé ou expiré). Demandez-en un nouveau à un administrateur.',
  csrf_token_missing: 'La demande n’a pas pu être authentifiée. Rechargez la page.',
  csrf_token_invalid: 'La demande n’a pas pu être authentifiée. Rechargez la page.',
  forbidden: 'Votre rôle ne permet pas cette action.',
  too_many_requests: 'Trop de demandes : patientez une minute avant de réessayer.',
  not_found: 'Introuvable.',
  professional_not_found: 'Aucun professionnel ne porte cet identifiant.',
  card_not_found: 'Aucune carte ne porte ce numéro.',
  order_not_found: 'Cette commande n’existe pas.',
  approver_is_requester: 'Vous ne pouvez pas approuver une commande que vous avez vous-même demandée : un autre opérateur doit le faire.',
  approver_not_a_person: 'Seule une personne peut approuver une commande.',
  transition_not_allowed: 'L’état a changé entre-temps : rechargez la page.',
  open_order_exists: 'Une commande est déjà en cours pour cette carte.',
  professional_ceased: 'Ce professionnel a cessé son activité : aucune carte ne peut lui être commandée.',
  profession_not_held: 'Ce professionnel n’exerce pas cette profession.',
  professional_not_in_registry: 'Ce professionnel n’est plus actif au registre pour cette profession.',
  idempotency_key_reused: 'Cette demande a déjà été envoyée pour une autre commande.',
  validation_failed: 'Certaines informations sont manquantes ou invalides.',
};

export function problemText(status: number, code: string, detail: string): string {
  if (FRENCH[code]) return FRENCH[code];
  if (status >= 500) return 'Le service a rencontré une erreur. Réessayez ; si elle persiste, prévenez l’exploitation.';
  return detail || `Erreur ${status}`;
}

/** The data of an openapi-fetch answer, or its problem thrown as an ApiProblem. */
export function unwrap<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.response.ok) return answer.data as T;
  const p = (answer.error ?? {}) as { code?: string; detail?: string };
  throw new ApiProblem(answer.response.status, p.code ?? `http_${answer.response.status}`, p.detail ?? '');
}
