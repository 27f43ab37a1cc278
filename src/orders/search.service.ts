import { Injectable } from '@nestjs/common';
import { NAME_SEARCH_PAGE_SIZE, ProfessionalSummary, RegistrySearchService } from '../rpps/registry-search.service';
import { CardsService, CardView } from './cards.service';
import { ReadQuery } from './search-query';
import { CardState } from './workflow';

export interface SearchItem extends ProfessionalSummary {
  matchedCard?: { cardNumber: string; status: CardState };
}

export interface SearchResult {
  query: string;
  kind: 'name' | 'nationalId' | 'cardNumber';
  items: SearchItem[];
  total: number;
  totalIsLowerBound: boolean;
  page: number;
  pageSize: number;
}

/**
 * The console's search box: a name, a national identifier or a card number
 * (search-query.ts). A name finds professionals in practice (the registry's search); an
 * identifier or a card number finds that one professional, ceased or not.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly registry: RegistrySearchService,
    private readonly cards: CardsService,
  ) {}

  /** `q` as the route's query read it (SearchQuery): its trimmed text, answered as `query`, and its target. */
  async search(q: { q: ReadQuery; page?: number; pageSize?: number }): Promise<SearchResult> {
    const { text, target } = q.q;
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? NAME_SEARCH_PAGE_SIZE;
    if (target.kind === 'name')
      return { query: text, kind: 'name', ...(await this.registry.searchByName(target.text, { page, pageSize })) };

    const one = (kind: SearchResult['kind'], items: SearchItem[]): SearchResult => ({
      query: text,
      kind,
      items: page === 1 ? items : [],
      total: items.length,
      totalIsLowerBound: false,
      page,
      pageSize,
    });
    let nationalId: string;
    if (target.kind === 'cardNumber') {
      const [card] = await this.cards.byNumbers([target.cardNumber]);
      if (card) return one('cardNumber', [await this.holderOf(card)]);
      if (!target.orNationalId) return one('cardNumber', []);
      nationalId = target.orNationalId;
    } else {
      nationalId = target.nationalId;
    }
    return one('nationalId', await this.registry.summaries([nationalId]));
  }

  /** The holder of a card, as the registry knows them; one it does not know, with the card's name, as ceased. */
  private async holderOf(card: CardView): Promise<SearchItem> {
    const [holder] = await this.registry.summaries([card.nationalId]);
    const matchedCard = { cardNumber: card.cardNumber, status: card.state as CardState };
    if (holder) return { ...holder, matchedCard };
    return {
      nationalId: card.nationalId,
      lastName: card.lastName,
      firstName: card.firstName,
      professions: [],
      professionLabels: [],
      ceased: true,
      matchedCard,
    };
  }
}
