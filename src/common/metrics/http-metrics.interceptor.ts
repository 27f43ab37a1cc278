import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable, tap } from 'rxjs';
import { httpDuration, httpRequests } from './metrics';

/** Counts requests and their durations by route pattern (not by concrete URL). */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const route = (req.route?.path as string | undefined) ?? 'unmatched';
    const end = httpDuration.startTimer({ method: req.method, route });
    const done = (status: number) => {
      end();
      httpRequests.inc({ method: req.method, route, status: String(status) });
    };
    return next.handle().pipe(
      tap({
        next: () => done(ctx.switchToHttp().getResponse<Response>().statusCode),
        error: (e: { status?: number; getStatus?: () => number }) => done(e.getStatus?.() ?? e.status ?? 500),
      }),
    );
  }
}
