import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PUBLIC_KEY, ROLES_KEY } from '../../src/common/auth/roles.decorator';
import { createTestApp, TestApp } from '../setup/test-app';

/** Every endpoint of the API and worker states which roles may call it (or that it is public). */
describe('every endpoint declares its roles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: true });
  });
  afterAll(() => t.close());

  it('has @Roles or @Public on every route handler', () => {
    const discovery = t.app.get(DiscoveryService);
    const scanner = t.app.get(MetadataScanner);
    const reflector = t.app.get(Reflector);
    const undeclared: string[] = [];
    let routes = 0;
    for (const wrapper of discovery.getControllers()) {
      const instance = wrapper.instance as object;
      if (!instance) continue;
      const proto = Object.getPrototypeOf(instance);
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = proto[name];
        if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        routes++;
        const targets = [handler, wrapper.metatype as object];
        const roles = reflector.getAllAndOverride<string[]>(ROLES_KEY, targets as never);
        const isPublic = reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets as never);
        if (!isPublic && !(roles && roles.length)) {
          const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler)];
          undeclared.push(`${method} ${Reflect.getMetadata(PATH_METADATA, wrapper.metatype as object)}/${Reflect.getMetadata(PATH_METADATA, handler)}`);
        }
      }
    }
    expect(routes).toBeGreaterThan(5);
    expect(undeclared).toEqual([]);
  });
});
