import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { CONSOLE_ROLES } from '../console-account.entity';

/**
 * The console session's routes (POST/GET/DELETE /api/v1/session, POST /api/v1/session/password):
 * their bodies, and their answers for the OpenAPI document the console's client is generated from.
 */

const text = (what: string, max: number) =>
  z
    .string({ error: (i) => (i.input === undefined ? 'required' : `expected ${what}`) })
    .min(1, 'must not be empty')
    .max(max, `at most ${max} characters`);

export class SignInBody extends createZodDto(
  z.strictObject({
    login: text("the principal's name or the account's email", 254).describe("the principal's name or the account's email, any case"),
    password: text('the password', 1024),
  }),
) {}

export class SetPasswordBody extends createZodDto(
  z.strictObject({
    token: text("the link's token", 256).describe('the token of the set-password link (after #jeton=)'),
    password: text('the new password', 1024).describe("12 to 128 characters, not the principal's name or email"),
  }),
) {}

export class SessionAnswer extends createZodDto(
  z.strictObject({
    principal: z.strictObject({
      id: z.uuid(),
      name: z.string(),
      email: z.string().describe('the email of the account, if it has one').nullable(),
    }),
    roles: z.array(z.enum(CONSOLE_ROLES)).describe('every role of the account'),
    csrfToken: z.string().describe('sent back in X-CSRF-Token with every request that changes something (not GET, HEAD, OPTIONS)'),
    idleTimeoutSeconds: z.number().int().describe('the session ends after this long without a request'),
    expiresAt: z.iso.datetime().describe('the session ends then, however used'),
  }),
) {}
