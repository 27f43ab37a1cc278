import { Controller, Get, Header, Res, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { createReadStream } from 'node:fs';
import { Public } from '../common/auth/roles.decorator';
import { CrlKind, CrlPublisher } from './crl-publisher.service';
import { registerCrlMetrics } from './crl.metrics';

/** The published opposition list, for relying parties (no token). */
@ApiTags('opposition')
@Controller('opposition')
export class CrlController {
  constructor(private readonly publisher: CrlPublisher) {
    registerCrlMetrics(publisher);
  }

  @Get('crl')
  @Public()
  crl(@Res({ passthrough: true }) res: Response) {
    return this.serve('full', res);
  }

  @Get('delta-crl')
  @Public()
  deltaCrl(@Res({ passthrough: true }) res: Response) {
    return this.serve('delta', res);
  }

  @Get('issuer.crt')
  @Public()
  @Header('Content-Type', 'application/x-pem-file')
  issuer(): string {
    return this.publisher.issuerCertificatePem;
  }

  private async serve(kind: CrlKind, res: Response): Promise<StreamableFile> {
    const { publication, file } = await this.publisher.currentFile(kind);
    res.setHeader('Last-Modified', new Date(publication.thisUpdate).toUTCString());
    res.setHeader('Expires', new Date(publication.nextUpdate).toUTCString());
    res.setHeader('ETag', `"${publication.sha256}"`);
    res.setHeader('X-CRL-Number', publication.crlNumber);
    return new StreamableFile(createReadStream(file), {
      type: 'application/pkix-crl',
      length: publication.bytes,
      disposition: `attachment; filename="${kind === 'full' ? 'cps' : 'cps-delta'}.crl"`,
    });
  }
}
