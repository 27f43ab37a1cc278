import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { CommonError } from '../errors/domain-error';
import { sendProblem } from '../errors/problem.filter';

/** Where `npm run build` puts the console (web/dist), from dist/src/common/http or src/common/http. */
export function consoleDir(): string {
  for (const up of ['../../../../web/dist', '../../../web/dist']) {
    const dir = resolve(__dirname, up);
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return resolve(__dirname, '../../../../web/dist');
}

/**
 * The console at /console/: its static files (hashed assets cached a year, index.html never),
 * and index.html for any other path under /console/ (the console's own routes, such as
 * /console/professionnels/…). Without a build, /console/ answers 503 naming the command.
 */
export function consoleStatic(dir = consoleDir()): RequestHandler {
  const index = join(dir, 'index.html');
  const files = express.static(dir, {
    index: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      res.setHeader('Cache-Control', path.includes(`${join(dir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/console') return res.redirect(301, '/console/');
    if (!req.path.startsWith('/console/')) return next();
    if (!existsSync(index)) {
      return sendProblem(res, new CommonError('console_not_built', 'the console is not built: run `npm run build`', 503));
    }
    req.url = req.url.slice('/console'.length);
    files(req, res, () => {
      req.url = `/console${req.url}`;
      if (/\.[a-z0-9]+$/i.test(req.path)) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  };
}
