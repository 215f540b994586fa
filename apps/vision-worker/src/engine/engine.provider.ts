import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createEngine, type VisionEngine } from '@nomosly/engines';
import { WORKER_CONFIG, type WorkerConfig } from '../config';

/** The process's one engine: models load and warm up before the worker takes its first job. */
@Injectable()
export class EngineHolder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Engine');
  readonly engine: VisionEngine;
  ready = false;

  constructor(@Inject(WORKER_CONFIG) config: WorkerConfig) {
    this.engine = createEngine(config.ENGINE, {
      tessdataFile: config.TESSDATA_FILE,
      delayMs: config.NULL_ENGINE_DELAY_MS,
      rekognition: {
        region: config.AWS_REGION,
        endpoint: config.AWS_ENDPOINT,
        credentials:
          config.AWS_ACCESS_KEY_ID && config.AWS_SECRET_ACCESS_KEY
            ? { accessKeyId: config.AWS_ACCESS_KEY_ID, secretAccessKey: config.AWS_SECRET_ACCESS_KEY }
            : undefined,
      },
    });
  }

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    await this.engine.start();
    this.ready = true;
    this.logger.log(`engine ${this.engine.name} ready in ${Date.now() - started} ms`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.engine.stop();
  }
}
