import { z } from 'zod';

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) as a plain object. */
export type JsonSchema = Record<string, unknown>;

/** `input` for what a client sends (before defaults and transforms), `output` for what the server answers. */
export type SchemaSide = 'input' | 'output';

const COMPONENT_REF = '#/components/schemas/';

const options = (io: SchemaSide) =>
  ({
    io,
    target: 'draft-2020-12',
    // A `Date` sent as JSON carries its own `.meta({ type: 'string', format: 'date-time' })`; anything else that
    // JSON Schema cannot say is caught by requireRepresented below rather than thrown mid-way.
    unrepresentable: 'any',
  }) as const;

/**
 * Named zod schemas as OpenAPI component schemas, keyed by name: a named schema used inside another one becomes
 * a `$ref` to it, so a type the client sees in several answers is one type there too.
 */
export function componentSchemas(named: Readonly<Record<string, z.ZodType>>, io: SchemaSide): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { ...options(io), uri: (id) => `${COMPONENT_REF}${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, requireRepresented(bare(schema), id)]));
}

/** One zod schema as an inline JSON Schema (a request body, a parameter). */
export function jsonSchemaOf(schema: z.ZodType, io: SchemaSide, where: string): JsonSchema {
  return requireRepresented(withoutRefusedProperties(bare(z.toJSONSchema(schema, options(io)))), where);
}

/** The query parameters an object schema accepts, as OpenAPI parameter objects. */
export function queryParameters(schema: z.ZodObject, where: string): JsonSchema[] {
  const object = jsonSchemaOf(schema, 'input', where);
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: 'query', required: required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

/**
 * Without the properties a strict object names only to refuse them with a message of its own (`z.never()`, such
 * as `email` on PATCH /api/me): the client may not send them, which `additionalProperties: false` already says.
 */
function withoutRefusedProperties(schema: JsonSchema): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties || schema.additionalProperties !== false) return schema;
  const refused = (property: JsonSchema) => Object.keys(property).length === 1 && JSON.stringify(property.not) === '{}';
  return { ...schema, properties: Object.fromEntries(Object.entries(properties).filter(([, property]) => !refused(property))) };
}

/**
 * Without the keys that belong to a standalone JSON Schema document, not to one inside an OpenAPI document, and
 * without the bounds zod gives every `.int()` (the safe integers), which say nothing to a reader.
 */
function bare(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return withoutSafeIntegerBounds(rest) as JsonSchema;
}

function withoutSafeIntegerBounds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSafeIntegerBounds);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).filter(
    ([key, item]) => !(key === 'minimum' && item === Number.MIN_SAFE_INTEGER) && !(key === 'maximum' && item === Number.MAX_SAFE_INTEGER),
  );
  return Object.fromEntries(entries.map(([key, item]) => [key, withoutSafeIntegerBounds(item)]));
}

/**
 * Refuses a schema with an empty subschema (`{}`, "anything") where zod had something JSON Schema cannot say,
 * such as a `Date` without its meta or a transform's output: the document would silently promise nothing.
 * `not: {}` (zod's `never`) is the one empty schema that means something.
 */
function requireRepresented(schema: JsonSchema, where: string): JsonSchema {
  const visit = (value: unknown, path: string, key: string): void => {
    if (Array.isArray(value)) return value.forEach((item, index) => visit(item, `${path}/${index}`, ''));
    if (value === null || typeof value !== 'object') return;
    const entries = Object.entries(value);
    if (entries.length === 0 && !SCHEMA_MAPS.has(key) && key !== 'not' && isSchemaPosition(path)) {
      throw new Error(`OpenAPI: ${where} has a schema JSON Schema cannot express at ${path || '/'} (a Date without .meta, or a transform's output)`);
    }
    for (const [child, item] of entries) visit(item, `${path}/${child}`, child);
  };
  visit(schema, '', '');
  return schema;
}

/** Keywords whose value maps names to schemas: the map may be empty (an object with no properties). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas', '$defs']);

/** Values (examples, defaults, constants) may be empty objects; schemas may not. */
function isSchemaPosition(path: string): boolean {
  return !/\/(examples|default|const|enum)(\/|$)/.test(path);
}
