export const ROLES = ['operator', 'helpdesk', 'batch', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}
