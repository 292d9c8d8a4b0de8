import { ErrorBodySchema } from '@vibhava/protocol';
import { toJSONSchema, type z } from 'zod';

type Schema = z.core.$ZodType;

export interface RouteDoc {
  method: 'get' | 'post' | 'delete' | 'patch';
  /** OpenAPI path, `{param}` style. */
  path: string;
  summary: string;
  description?: string;
  auth?: boolean;
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
      ...(route.auth ? { security: [{ visitorToken: [] }] } : {}),
      ...(route.params
        ? {
            parameters: Object.entries(route.params).map(([name, schema]) => ({
              name,
              in: 'path',
              required: true,
              schema: json(schema, 'input'),
            })),
          }
        : {}),
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
