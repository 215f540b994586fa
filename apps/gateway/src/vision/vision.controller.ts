import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Operation } from '@nomosly/contracts';
import { VisionService } from './vision.service';

/** The four operations of API.md. The API key and its scope are checked before the body is read (ApiKeyAuth). */
@Controller('v1')
export class VisionController {
  constructor(private readonly vision: VisionService) {}

  @Post('faces/detect')
  @HttpCode(200)
  detectFaces(@Req() request: FastifyRequest) {
    return this.vision.handle(Operation.FacesDetect, request);
  }

  @Post('faces/compare')
  @HttpCode(200)
  compareFaces(@Req() request: FastifyRequest) {
    return this.vision.handle(Operation.FacesCompare, request);
  }

  @Post('labels/detect')
  @HttpCode(200)
  detectLabels(@Req() request: FastifyRequest) {
    return this.vision.handle(Operation.LabelsDetect, request);
  }

  @Post('text/detect')
  @HttpCode(200)
  detectText(@Req() request: FastifyRequest) {
    return this.vision.handle(Operation.TextDetect, request);
  }
}
