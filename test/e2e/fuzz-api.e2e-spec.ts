import fc from 'fast-check';
import { listRoutes, openApiPath, RouteInfo } from '../../src/common/auth/route-roles';
import { concretePath } from '../setup/routes';
import { createTestApp, TestApp } from '../setup/test-app';

interface OpenApiDoc {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 20);

/** Junk of every shape: random JSON, and objects with the DTO's own field names holding junk. */
function bodies(fields: string[]) {
  const junkValue = fc.oneof(
    fc.anything({ maxDepth: 2 }),
    fc.string({ maxLength: 300 }),
    fc.fullUnicodeString({ maxLength: 50 }),
    fc.integer(),
    fc.double(),
    fc.constantFrom('', null, -1, 1e308, '0000-00-00', '__proto__', '{{constructor}}', "'; DROP TABLE leads;--", '\u0000'),
  );
  const dtoShaped = fields.length
    ? fc.dictionary(fc.constantFrom(...fields), junkValue, { maxKeys: fields.length })
    : fc.object({ maxDepth: 1 });
  return fc.oneof(dtoShaped, fc.object({ maxDepth: 2 }), fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }), fc.string());
}

describe('API fuzz: generated junk never causes a 5xx and always gets an error naming the problem', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  let doc: OpenApiDoc;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    t = await createTestApp({ api: true, worker: false });
    routes = listRoutes(t.app).filter((r) => !r.isPublic || r.path === '/api/auth/login');
    doc = (await t.http.get('/api/docs-json')).body;
  });
  afterAll(() => t.close());

  const fieldsOf = (r: RouteInfo): string[] => {
    const oaPath = openApiPath(r.path);
    const content = doc.paths[oaPath]?.[r.method]?.requestBody?.content ?? {};
    const ref = Object.values(content)[0]?.schema?.$ref;
    const schema = ref ? doc.components.schemas[ref.split('/').pop()!] : undefined;
    return Object.keys(schema?.properties ?? {});
  };

  const tokenFor = async (r: RouteInfo) => {
    const role = r.roles[0];
    if (!role) return undefined;
    if (!tokens.has(role)) tokens.set(role, await t.tokenFor(role));
    return tokens.get(role);
  };

  it('every body-taking endpoint answers junk bodies with a 4xx and a message', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => ['post', 'put', 'patch'].includes(x.method) && x.path !== '/api/auth/login')) {
      const token = await tokenFor(r);
      const fields = fieldsOf(r);
      await fc.assert(
        fc.asyncProperty(bodies(fields), async (body) => {
          let req = t.http[r.method](concretePath(r.path)).set('Content-Type', 'application/json');
          if (token) req = req.set('Authorization', `Bearer ${token}`);
          const res = await req.send(JSON.stringify(body));
          if (res.status >= 500 || (res.status >= 400 && !res.body?.message)) {
            failures.push(`${r.method} ${r.path} ${JSON.stringify(body).slice(0, 200)} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
            return false;
          }
          return true;
        }),
        { numRuns: RUNS, endOnFailure: true },
      ).catch(() => undefined);
    }
    expect(failures).toEqual([]);
  });

  it('junk path parameters and query strings never cause a 5xx', async () => {
    const failures: string[] = [];
    const junk = fc.oneof(fc.string({ minLength: 1, maxLength: 60 }), fc.constantFrom('-1', '1e999', '%00', '..%2F..', 'NaN', "1' OR '1'='1"));
    for (const r of routes.filter((x) => x.method === 'get')) {
      const token = await tokenFor(r);
      await fc.assert(
        fc.asyncProperty(junk, junk, async (param, q) => {
          const path = concretePath(r.path, encodeURIComponent(param));
          let req = t.http.get(`${path}?page=${encodeURIComponent(q)}&limit=${encodeURIComponent(q)}&q=${encodeURIComponent(q)}`);
          if (token) req = req.set('Authorization', `Bearer ${token}`);
          const res = await req;
          if (res.status >= 500) {
            failures.push(`GET ${r.path} param=${JSON.stringify(param)} q=${JSON.stringify(q)} -> ${res.status}`);
            return false;
          }
          return true;
        }),
        { numRuns: Math.ceil(RUNS / 2), endOnFailure: true },
      ).catch(() => undefined);
    }
    expect(failures).toEqual([]);
  });

  it('malformed JSON gets a 400, not a 500', async () => {
    const token = await t.tokenFor(routes.find((r) => r.path === '/api/users' && r.method === 'post')!.roles[0]);
    const res = await t.http.post('/api/users').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').send('{"email": ');
    expect(res.status).toBe(400);
    expect(res.body.message).toBeTruthy();
  });
});
