import { INestApplication } from '@nestjs/common';
import type { Application } from 'express';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { documentRouteRoles, listRoutes } from './common/auth/route-roles';
import { AllExceptionsFilter } from './common/errors/http-exception.filter';
import { createValidationPipe } from './common/validation';

/** Global pipes, filters and OpenAPI: the same for the service and for the e2e tests. */
export function configureApp(app: INestApplication): void {
  (app.getHttpAdapter().getInstance() as Application).set('trust proxy', trustProxy(app.get<AppConfig>(APP_CONFIG).TRUST_PROXY));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  const doc = new DocumentBuilder()
    .setTitle('Outbound Dialer API')
    .setDescription('Campaigns, lead lists, scripts, dialing, compliance. Each operation lists the roles that may call it.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => documentRouteRoles(SwaggerModule.createDocument(app, doc), listRoutes(app)), {
    jsonDocumentUrl: 'api/docs-json',
  });
}

/** TRUST_PROXY as express takes it: a boolean, a number of hops, or a list of addresses/subnets. */
export function trustProxy(v: string): boolean | number | string[] {
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}
