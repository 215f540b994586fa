import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Operation, Scope } from '@nomosly/contracts';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { RequiresScope } from '../auth/requires-scope.decorator';
import { VisionService } from './vision.service';

/** The four operations of API.md. */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class VisionController {
  constructor(private readonly vision: VisionService) {}

  @Post('faces/detect')
  @HttpCode(200)
  @RequiresScope(Scope.FacesDetect)
  detectFaces(@Req() request: FastifyRequest) {
    return this.vision.handle(Operation.FacesDetect, request);
  }

  @Post('faces/compare')
  @HttpCode(200)
  @RequiresScope(Scope.FacesCompare)
  compareFaces(@Req() request: FastifyRequest) {
    return this.vision.handle(Operation.FacesCompare, request);
  }

  @Post('labels/detect')
  @HttpCode(200)
  @RequiresScope(Scope.LabelsDetect)
  detectLabels(@Req() request: FastifyRequest) {
    return this.vision.handle(Operation.LabelsDetect, request);
  }

  @Post('text/detect')
  @HttpCode(200)
  @RequiresScope(Scope.TextDetect)
  detectText(@Req() request: FastifyRequest) {
    return this.vision.handle(Operation.TextDetect, request);
  }
}
