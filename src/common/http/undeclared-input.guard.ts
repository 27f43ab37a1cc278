import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import { CommonError } from '../errors/domain-error';

/** Which inputs a route declares (a @Query() or @Body() argument, whose DTO the global pipe validates). */
export function declaredInputs(controller: object, handler: string): { query: boolean; body: boolean } {
  const args: Record<string, { index: number }> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {};
  const types = Object.keys(args).map((k) => Number(k.split(':')[0]));
  return { query: types.includes(RouteParamtypes.QUERY), body: types.includes(RouteParamtypes.BODY) };
}

/**
 * A route that declares no query refuses any query string, and one that declares no
 * body refuses a body: what a route does not declare is never silently ignored. Registered
 * after the authentication guard: a caller without a valid token learns nothing from it.
 */
@Injectable()
export class UndeclaredInputGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const declared = declaredInputs(ctx.getClass(), ctx.getHandler().name);
    const problems: string[] = [];
    const keys = Object.keys(req.query ?? {});
    if (!declared.query && keys.length) problems.push(`this route takes no query parameters (got ${keys.map((k) => `"${k}"`).join(', ')})`);
    const body: unknown = req.body;
    const hasBody = body !== undefined && body !== null && !(typeof body === 'object' && Object.keys(body).length === 0);
    if (!declared.body && hasBody) problems.push('this route takes no request body');
    if (problems.length) throw new CommonError('validation_failed', problems.join('; '), 400);
    return true;
  }
}
