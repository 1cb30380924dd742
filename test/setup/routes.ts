import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PUBLIC_KEY, ROLES_KEY } from '../../src/common/auth/roles.decorator';
import { Role } from '../../src/modules/users/user.entity';

export interface RouteInfo {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  roles: Role[];
  isPublic: boolean;
}

const join = (...parts: (string | string[] | undefined)[]) =>
  '/' + parts.flatMap((p) => (Array.isArray(p) ? p[0] : p) ?? '').join('/').split('/').filter(Boolean).join('/');

/** Every HTTP route of the running app with the roles it declares. */
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

/** Fills route parameters with values of a plausible shape. */
export function concretePath(path: string, value = '00000000-0000-4000-8000-000000000000'): string {
  return path.replace(/:(\w+)/g, (_, name: string) => (/id$/i.test(name) ? value : 'x'));
}
