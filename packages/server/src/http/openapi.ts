import { ErrorBodySchema } from '@vibhava/protocol';
import { toJSONSchema, type z } from 'zod';

type Schema = z.core.$ZodType;

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  /** OpenAPI path, `{param}` style. */
  path: string;
  summary: string;
  description?: string;
  /** `visitor`: a visitor token; `admin`: a console session cookie or a secret key. */
  auth?: 'visitor' | 'admin';
  params?: Record<string, Schema>;
  body?: Schema;
  responses: Record<number, { description: string; schema?: Schema; contentType?: string }>;
}

/** Builds the OpenAPI 3.1 document from the same zod schemas the routes validate with. */
export function buildOpenApiDocument(routes: readonly RouteDoc[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  const json = (schema: Schema, io: 'input' | 'output') => toJSONSchema(schema, { io, unrepresentable: 'any' });
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      const schema = response.schema ?? (Number(status) >= 400 ? ErrorBodySchema : undefined);
      responses[status] = {
        description: response.description,
        ...(schema
          ? { content: { [response.contentType ?? 'application/json']: { schema: json(schema, 'output') } } }
          : {}),
      };
    }
    (paths[route.path] ??= {})[route.method] = {
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(route.auth === 'visitor' ? { security: [{ visitorToken: [] }] } : {}),
      ...(route.auth === 'admin' ? { security: [{ adminSession: [] }, { secretKey: [] }] } : {}),
      ...pathParameters(route, json),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: json(route.body, 'input') } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'VibhavaFusion API',
      version: '1.0.0',
      description: 'Visitor sessions, conversations and streamed avatar replies.',
    },
    components: {
      securitySchemes: {
        adminSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'vibhava_admin',
          description: 'A console session from POST /admin/v1/auth/login; changes also need the x-csrf-token header.',
        },
        secretKey: { type: 'http', scheme: 'bearer', description: 'A secret key (sk_…), read or write scoped.' },
        visitorToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A visitor token from POST /v1/sessions.',
        },
      },
    },
    paths,
  };
}

/** Every `{name}` in the path, typed by `route.params` where given, else a plain string. */
function pathParameters(route: RouteDoc, json: (schema: Schema, io: 'input' | 'output') => unknown) {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  if (names.length === 0) return {};
  return {
    parameters: names.map((name) => {
      const schema = route.params?.[name];
      return { name, in: 'path', required: true, schema: schema ? json(schema, 'input') : { type: 'string' } };
    }),
  };
}
