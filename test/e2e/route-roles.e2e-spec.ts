import { ALL_ROLES } from '../../src/modules/users/user.entity';
import { concretePath, listRoutes, RouteInfo } from '../setup/routes';
import { createTestApp, TestApp } from '../setup/test-app';
import { isolateDatabase } from '../setup/isolated-db';

/**
 * The security matrix: every endpoint x every role. Each endpoint declares who may call it; every other role
 * gets 403 and an anonymous caller gets 401, whatever the endpoint.
 */
// This file boots a dialer worker: it gets a database and Redis prefix of its own.
isolateDatabase();

describe('endpoint x role matrix', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: true });
    routes = listRoutes(t.app);
    for (const role of ALL_ROLES) tokens[role] = await t.tokenFor(role);
  });
  afterAll(() => t.close());

  it('has @Roles or @Public on every route handler', () => {
    expect(routes.length).toBeGreaterThan(5);
    const undeclared = routes.filter((r) => !r.isPublic && r.roles.length === 0).map((r) => `${r.method} ${r.path}`);
    expect(undeclared).toEqual([]);
  });

  it('refuses every role an endpoint does not list with 403, and anonymous callers with 401', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const r of routes.filter((x) => !x.isPublic)) {
      const path = concretePath(r.path);
      const anon = await t.http[r.method](path);
      if (anon.status !== 401) wrong.push(`${r.method} ${r.path} anonymous -> ${anon.status}`);
      for (const role of ALL_ROLES.filter((x) => !r.roles.includes(x))) {
        const res = await t.http[r.method](path).set('Authorization', `Bearer ${tokens[role]}`).send({});
        checked++;
        if (res.status !== 403) wrong.push(`${r.method} ${r.path} as ${role} -> ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(3);
  });
});
