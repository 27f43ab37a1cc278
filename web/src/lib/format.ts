/** Dates and numbers as the agency writes them: "30 novembre 2026", "1 300 000". */
const DAY = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });
const DAY_TIME = new Intl.DateTimeFormat('fr-FR', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Paris',
});
const NUMBER = new Intl.NumberFormat('fr-FR');

/** A day (YYYY-MM-DD, read as that calendar day) or a timestamp (its day in Paris). */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
  return Number.isNaN(day.getTime()) ? value : DAY.format(day);
}

/** A timestamp with its Paris time: "30 novembre 2026 à 14:05". */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : DAY_TIME.format(d);
}

export function formatNumber(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : NUMBER.format(n);
}

/** "3 jours", "1 jour", "moins d'un jour" since a timestamp, against now. */
export function formatAge(since: string, now = Date.now()): string {
  const days = Math.floor((now - new Date(since).getTime()) / 86_400_000);
  if (days < 1) return 'moins d’un jour';
  return `${formatNumber(days)} jour${days > 1 ? 's' : ''}`;
}

/** A card number in groups of four, as printed on the card. */
export function formatCardNumber(n: string): string {
  return n.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** Who did something, as people read it: `principal:Claire Martin` → Claire Martin (system actors stay as they are). */
export function formatActor(actor: string | null | undefined): string {
  if (!actor) return '—';
  return actor.startsWith('principal:') ? actor.slice('principal:'.length) : actor;
}

/** An order as people name it: the first 8 characters of its id ("Commande 6871dcd0"). */
export function formatOrderRef(id: string): string {
  return id.slice(0, 8);
}
