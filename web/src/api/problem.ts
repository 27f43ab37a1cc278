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
  too_busy: 'Le service est très sollicité : réessayez dans quelques secondes.',
  check_in_progress: 'Une vérification de la chaîne est déjà en cours : attendez son résultat.',
  audit_public_key_missing:
    'La clé publique d’audit n’est pas configurée sur ce serveur (AUDIT_PUBLIC_KEY_FILE) : prévenez l’exploitation.',
  confirmer_is_submitter: 'Vous avez soumis cet import : un autre opérateur doit le confirmer.',
  import_not_held: 'Cet import n’est plus retenu : rechargez la page.',
  import_superseded: 'Un import plus récent a remplacé celui-ci : il ne peut plus être confirmé.',
  letter_not_found: 'Aucun courrier ne porte ce code-barres.',
  letter_barcode_mismatch: 'Ce code-barres n’est pas celui de ce courrier : rien n’a été enregistré.',
  letter_not_printed: 'Ce courrier n’a pas été imprimé.',
  batch_in_progress: 'Un lot de ce type est en cours de fabrication : réessayez dans un instant.',
  codes_destroyed: 'Les codes de cette carte ont été détruits : aucune réimpression n’est possible.',
  reprint_in_progress: 'Une réimpression de ce courrier est déjà demandée.',
  import_in_progress: 'Un import est déjà en cours : attendez sa fin.',
  batch_not_due: 'Ce lot ne peut pas être marqué imprimé avant son jour.',
  batch_not_ready: 'Ce lot n’est pas prêt à imprimer.',
  card_letters_not_printed: 'Les courriers porteurs de ces cartes ne sont pas encore imprimés : imprimez-les d’abord.',
  reprint_not_allowed: 'Cette réimpression n’est pas permise (fenêtre de réimpression dépassée ou codes détruits).',
  encoder_not_found: 'Ce poste d’encodage n’existe plus.',
  encoder_not_in_error: 'Ce poste n’est pas en erreur.',
  session_ended: 'Votre session a pris fin. Reconnectez-vous.',
};

export function problemText(status: number, code: string, detail: string): string {
  if (FRENCH[code]) return FRENCH[code];
  if (status >= 500) return 'Le service a rencontré une erreur. Réessayez ; si elle persiste, prévenez l’exploitation.';
  return `La demande a été refusée (${code}).${detail ? ` Détail : ${detail}` : ''}`;
}

/** The data of an openapi-fetch answer, or its problem thrown as an ApiProblem. */
export function unwrap<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.response.ok) return answer.data as T;
  const p = (answer.error ?? {}) as { code?: string; detail?: string };
  throw new ApiProblem(answer.response.status, p.code ?? `http_${answer.response.status}`, p.detail ?? '');
}
