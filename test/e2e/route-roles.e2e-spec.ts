import { ALL_ROLES } from '../../src/modules/users/user.entity';
import { listRoutes, openApiPath, RouteInfo } from '../../src/common/auth/route-roles';
import { concretePath } from '../setup/routes';
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

  it('documents in the OpenAPI document, for every operation, exactly the roles the service lets through', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { description?: string; 'x-roles'?: string[]; 'x-public'?: boolean; responses: Record<string, unknown> }>>;
    };
    const wrong: string[] = [];
    let operations = 0;
    for (const [oaPath, ops] of Object.entries(doc.paths)) {
      const path = concretePath(oaPath.replace(/\{(\w+)\}/g, ':$1'));
      for (const [method, op] of Object.entries(ops) as [RouteInfo['method'], (typeof ops)[string]][]) {
        operations++;
        const name = `${method} ${oaPath}`;
        if (op['x-public']) {
          if (!/anyone/.test(op.description ?? '')) wrong.push(`${name}: public but the description does not say so`);
          continue;
        }
        const said = op['x-roles'];
        if (!said?.length) { wrong.push(`${name}: no roles documented`); continue; }
        if (!(op.description ?? '').includes(said.join(', ')) || !op.responses['403']) wrong.push(`${name}: roles not in the description or no 403 answer`);
        // What the service does, asked as each role: the documented roles pass the guard, the others get 403.
        for (const role of ALL_ROLES) {
          const res = await t.http[method](path).set('Authorization', `Bearer ${tokens[role]}`).send({});
          const refused = res.status === 403 && /may not call this endpoint/.test(JSON.stringify(res.body));
          if (said.includes(role) === refused) wrong.push(`${name} as ${role}: documented ${said.includes(role) ? 'allowed' : 'refused'}, got ${res.status}`);
        }
      }
    }
    // Every API route is in the document; only the web pages and their assets (outside /api) are not.
    const undocumented = routes.filter((r) => !doc.paths[openApiPath(r.path)]?.[r.method]);
    expect(undocumented.filter((r) => r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect(operations).toBe(routes.length - undocumented.length);
    expect(wrong).toEqual([]);
  });
});
