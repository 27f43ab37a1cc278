import { createReadStream } from 'node:fs';
import { Controller, Get, Header, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/auth/roles.decorator';
import { registerCrlMetrics } from './crl.metrics';
import { CrlKind, CrlPublisher } from './crl-publisher.service';

/** The published opposition list, for relying parties (no token). */
@ApiTags('opposition')
@Controller('opposition')
export class CrlController {
  constructor(private readonly publisher: CrlPublisher) {
    registerCrlMetrics(publisher);
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

  @Get('issuer.crt')
  @Public()
  @Header('Content-Type', 'application/x-pem-file')
  issuer(): string {
    return this.publisher.issuerCertificatePem;
  }

  /** The current CRL's file; 304 when the relying party already has it (If-None-Match). */
  private async serve(kind: CrlKind, req: Request, res: Response): Promise<StreamableFile | undefined> {
    const { publication, file } = await this.publisher.currentFile(kind);
    const etag = `"${publication.sha256}"`;
    res.setHeader('Last-Modified', new Date(publication.thisUpdate).toUTCString());
    res.setHeader('Expires', new Date(publication.nextUpdate).toUTCString());
    res.setHeader('ETag', etag);
    res.setHeader('X-CRL-Number', publication.crlNumber);
    if (req.headers['if-none-match']?.split(',').some((t) => t.trim() === etag)) {
      res.status(304);
      return undefined;
    }
    return new StreamableFile(createReadStream(file), {
      type: 'application/pkix-crl',
      length: publication.bytes,
      disposition: `attachment; filename="${kind === 'full' ? 'cps' : 'cps-delta'}.crl"`,
    });
  }
}
