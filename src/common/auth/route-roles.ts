import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { OpenAPIObject } from '@nestjs/swagger';
import { OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { Role } from '../../modules/users/user.entity';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';

export interface RouteInfo {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express form: /api/leads/:id */
  path: string;
  roles: Role[];
  isPublic: boolean;
}

const join = (...parts: (string | string[] | undefined)[]) =>
  '/' + parts.flatMap((p) => (Array.isArray(p) ? p[0] : p) ?? '').join('/').split('/').filter(Boolean).join('/');

/** Every HTTP route of the running app with the roles it declares (what the auth guard enforces). */
export function listRoutes(app: INestApplication): RouteInfo[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const out: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as object;
    if (!instance) continue;
    const proto = Object.getPrototypeOf(instance);
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name];
      const m = Reflect.getMetadata(METHOD_METADATA, handler);
      if (m === undefined) continue;
      const method = RequestMethod[m].toLowerCase();
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const targets = [handler, wrapper.metatype] as never;
      out.push({
        method: method as RouteInfo['method'],
        path: join(Reflect.getMetadata(PATH_METADATA, wrapper.metatype as object), Reflect.getMetadata(PATH_METADATA, handler)),
        roles: reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [],
        isPublic: !!reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets),
      });
    }
  }
  return out;
}

/** The OpenAPI form of an Express path: /api/leads/:id -> /api/leads/{id}. */
export const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');

/**
 * Writes into the OpenAPI document who may call each operation, from the same @Roles/@Public metadata the guard
 * reads: `x-roles` (or `x-public`), a line in the description, the 401/403 answers, and no security for public ones.
 */
export function documentRouteRoles(doc: OpenAPIObject, routes: RouteInfo[]): OpenAPIObject {
  for (const r of routes) {
    const op = doc.paths[openApiPath(r.path)]?.[r.method] as (OperationObject & Record<`x-${string}`, unknown>) | undefined;
    if (!op) continue;
    const said = r.isPublic ? 'Who may call it: anyone (no token).' : `Who may call it: ${r.roles.join(', ')}; any other role gets 403.`;
    op.description = op.description ? `${op.description}\n\n${said}` : said;
    op.responses = op.responses ?? {};
    if (r.isPublic) {
      op['x-public'] = true;
      op.security = [];
    } else {
      op['x-roles'] = r.roles;
      op.security = op.security ?? [{ bearer: [] }];
      op.responses['401'] = op.responses['401'] ?? { description: 'No token, or an expired or invalid one' };
      op.responses['403'] = op.responses['403'] ?? { description: `The caller's role is not one of: ${r.roles.join(', ')}` };
    }
  }
  return doc;
}
