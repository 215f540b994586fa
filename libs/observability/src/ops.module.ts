import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { Registry } from 'prom-client';
import { OpsController } from './ops.controller';
import { READINESS_CHECKS } from './readiness';

export interface OpsModuleOptions {
  registry: Registry;
  /** Providers of ReadinessCheck instances, injected as READINESS_CHECKS. */
  readiness: Provider & { provide: typeof READINESS_CHECKS };
  imports?: DynamicModule['imports'];
}

@Module({})
export class OpsModule {
  static register(options: OpsModuleOptions): DynamicModule {
    return {
      module: OpsModule,
      imports: options.imports ?? [],
      controllers: [OpsController],
      providers: [{ provide: Registry, useValue: options.registry }, options.readiness],
      exports: [Registry],
    };
  }
}
