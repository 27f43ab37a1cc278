import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthedRequest, actorOf, principalOf } from '../common/auth/auth.guard';
import { Roles } from '../common/auth/roles.decorator';
import { CreateOrderBody, ListOrdersQuery, OrderParams, OrderReasonBody } from './dto/orders.dto';
import { OrderAnswer, OrderDetail, OrdersPage } from './dto/views.dto';
import { createOrder, ORDER_CREATORS, orderActorOf } from './orders.fast-route';
import { OrdersService } from './orders.service';
import { TimelinesService } from './timelines.service';

@ApiTags('orders')
@ApiBearerAuth()
@Controller('api/v1/orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly timelines: TimelinesService,
  ) {}

  /** 201 with the new order; 200 with the same order when the Idempotency-Key was seen before. */
  @Post()
  @Roles(...ORDER_CREATORS)
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a retry with the same key returns the same order' })
  @ApiCreatedResponse({ type: OrderAnswer.Output, description: 'the new order, waiting for a second person’s approval' })
  @ApiOkResponse({ type: OrderAnswer.Output, description: 'the same order, for an Idempotency-Key seen before' })
  async create(
    @Body() body: CreateOrderBody,
    @Headers('idempotency-key') key: string | undefined,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { order, created } = await createOrder(this.orders, body, key, principalOf(req));
    res.status(created ? 201 : 200);
    return order;
  }

  /**
   * The orders, latest first, one page of them (`page`, `pageSize`), filtered by `status`, `reason`,
   * `cardType`, `nationalId` and age (`olderThanDays`: requested more than that many days ago).
   */
  @Get()
  @Roles('operator', 'auditor')
  @ApiOkResponse({ type: OrdersPage.Output })
  list(@Query() q: ListOrdersQuery) {
    return this.orders.list(q);
  }

  /**
   * The order, with the chips spoiled for it at personalization (to be destroyed, never mailed),
   * the number of its card, its `timeline` (its dated steps, oldest first) and its card's
   * `letters` (never their content). 404 `order_not_found`.
   */
  @Get(':id')
  @Roles('operator', 'auditor')
  @ApiOkResponse({ type: OrderDetail.Output })
  get(@Param() { id }: OrderParams) {
    return this.timelines.order(id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('operator')
  @ApiOkResponse({ type: OrderAnswer.Output })
  approve(@Param() { id }: OrderParams, @Req() req: AuthedRequest) {
    return this.orders.approve(id, orderActorOf(req));
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('operator')
  @ApiOkResponse({ type: OrderAnswer.Output })
  reject(@Param() { id }: OrderParams, @Body() body: OrderReasonBody, @Req() req: AuthedRequest) {
    return this.orders.reject(id, actorOf(req), body.reason);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('operator')
  @ApiOkResponse({ type: OrderAnswer.Output })
  cancel(@Param() { id }: OrderParams, @Body() body: OrderReasonBody, @Req() req: AuthedRequest) {
    return this.orders.cancel(id, actorOf(req), body.reason);
  }

  /** A failed order (its cards spoiled at personalization) back to the queue, attempts from zero. */
  @Post(':id/retry')
  @HttpCode(200)
  @Roles('operator')
  @ApiOkResponse({ type: OrderAnswer.Output })
  retry(@Param() { id }: OrderParams, @Body() body: OrderReasonBody, @Req() req: AuthedRequest) {
    return this.orders.retry(id, actorOf(req), body.reason);
  }
}
