import { Controller, Get, Header, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/auth/roles.decorator';
import { registerCrlMetrics } from './crl.metrics';
import { CrlCache } from './crl-cache.service';
import type { CrlKind } from './crl-store.service';
import { CrlStore } from './crl-store.service';

/**
 * The published opposition list, for relying parties (no token). Served from the API's
 * memory (CrlCache), filled from the database: no key, no certificate file, no shared disk.
 */
@ApiTags('opposition')
@Controller('opposition')
export class CrlController {
  constructor(
    private readonly cache: CrlCache,
    store: CrlStore,
  ) {
    registerCrlMetrics(store);
  }

  @Get('crl')
  @Public()
  crl(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.serve('full', req, res);
  }

  @Get('delta-crl')
  @Public()
  deltaCrl(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.serve('delta', req, res);
  }

  /** The certificate of the issuer of the CRL served (PEM), as stored with it. */
  @Get('issuer.crt')
  @Public()
  @Header('Content-Type', 'application/x-pem-file')
  issuer(): Promise<string> {
    return this.cache.issuerCertificate();
  }

  /** The current CRL; 304 when the relying party already has it (If-None-Match); 503 `crl_unavailable` when there is none. */
  private async serve(kind: CrlKind, req: Request, res: Response): Promise<StreamableFile | undefined> {
    const { publication, der, etag } = await this.cache.get(kind);
    res.setHeader('Last-Modified', new Date(publication.thisUpdate).toUTCString());
    res.setHeader('Expires', new Date(publication.nextUpdate).toUTCString());
    res.setHeader('ETag', etag);
    res.setHeader('X-CRL-Number', publication.crlNumber);
    if (req.headers['if-none-match']?.split(',').some((t) => t.trim() === etag)) {
      res.status(304);
      return undefined;
    }
    return new StreamableFile(der, {
      type: 'application/pkix-crl',
      length: der.length,
      disposition: `attachment; filename="${kind === 'full' ? 'cps' : 'cps-delta'}.crl"`,
    });
  }
}
