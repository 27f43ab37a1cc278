import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/roles.decorator';
import { CrlStore } from './crl-store.service';
import { CrlsAnswer } from './dto/opposition-views.dto';

/** Where relying parties download the published list (public routes of CrlController). */
export const CRL_LINKS = {
  crl: '/opposition/crl',
  deltaCrl: '/opposition/delta-crl',
  issuerCertificate: '/opposition/issuer.crt',
} as const;

/** The published opposition list as the console shows it (the lists themselves: CrlController). */
@ApiTags('opposition')
@ApiBearerAuth()
@Controller('api/v1/crls')
export class CrlsController {
  constructor(private readonly store: CrlStore) {}

  /**
   * The full CRL served now (`latest`: number, entries, this and next update, SHA-256, when
   * published, and the delta CRL served with it), the latest 20 publications (full and delta),
   * and the download links. As published: the API serves a newer one within CRL_REFRESH_SECONDS.
   */
  @Get()
  @Roles('operator', 'helpdesk', 'auditor')
  @ApiOkResponse({ type: CrlsAnswer.Output })
  async get() {
    const [{ full, delta }, history] = await Promise.all([this.store.currentSummaries(), this.store.history()]);
    const latest = full && {
      crlNumber: full.crlNumber,
      entries: full.entries,
      thisUpdate: full.thisUpdate,
      nextUpdate: full.nextUpdate,
      sha256: full.sha256,
      bytes: full.bytes,
      publishedAt: full.publishedAt,
      ...(delta ? { deltaCrlNumber: delta.crlNumber, deltaEntries: delta.entries } : {}),
    };
    return { latest, history, links: CRL_LINKS };
  }
}
