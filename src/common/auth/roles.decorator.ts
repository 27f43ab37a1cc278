import { SetMetadata } from '@nestjs/common';
import { Role } from './roles';

export const ROLES_KEY = 'cps:roles';
export const PUBLIC_KEY = 'cps:public';

/** The roles allowed on a route or controller (admin is always allowed). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** A route outside /api/v1 that needs no token (health, metrics, CRL). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
