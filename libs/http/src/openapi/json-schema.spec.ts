import { z } from 'zod';
import { componentSchemas, jsonSchemaOf, queryParameters } from './json-schema';

describe('zod schemas as OpenAPI 3.1 schemas', () => {
  const sentDate = z.date().meta({ type: 'string', format: 'date-time' });

  it('names components and refers to a named schema wherever another one uses it', () => {
    const item = z.object({ id: z.string(), at: sentDate.nullable() });
    const list = z.object({ items: z.array(item) });
    expect(componentSchemas({ Item: item, List: list }, 'output')).toEqual({
      Item: {
        type: 'object',
        properties: { id: { type: 'string' }, at: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] } },
        required: ['id', 'at'],
        additionalProperties: false,
      },
      List: { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Item' } } }, required: ['items'], additionalProperties: false },
    });
  });

  it('describes a request as the client sends it: a defaulted field is optional, a transformed one is its input', () => {
    const body = z.strictObject({ when: z.iso.datetime().transform((value) => new Date(value)), limit: z.number().default(50) });
    const schema = jsonSchemaOf(body, 'input', 'POST /x');
    expect(schema.required).toEqual(['when']);
    expect(schema.properties).toMatchObject({ when: { type: 'string', format: 'date-time' }, limit: { type: 'number', default: 50 } });
  });

  it('leaves out a property a strict object names only to refuse it', () => {
    const body = z.strictObject({ name: z.string(), email: z.never({ message: 'not here' }) }).partial();
    expect(jsonSchemaOf(body, 'input', 'PATCH /me')).toEqual({ type: 'object', properties: { name: { type: 'string' } }, additionalProperties: false });
  });

  it('refuses to document a value JSON Schema cannot describe, rather than promising anything', () => {
    expect(() => componentSchemas({ Bad: z.object({ at: z.date() }) }, 'output')).toThrow(/Bad has a schema JSON Schema cannot express at \/properties\/at/);
    expect(() => jsonSchemaOf(z.object({ n: z.string().transform(Number) }), 'output', 'GET /y')).toThrow(/GET \/y/);
    expect(jsonSchemaOf(z.object({}), 'input', 'POST /z')).toEqual({ type: 'object', properties: {} });
  });

  it("keeps an integer's own bounds and drops the safe-integer ones zod adds to every .int()", () => {
    expect(jsonSchemaOf(z.object({ a: z.number().int(), b: z.number().int().min(1) }), 'output', 'x').properties).toEqual({
      a: { type: 'integer' },
      b: { type: 'integer', minimum: 1 },
    });
  });

  it('turns a query object into parameters, required as the schema says', () => {
    const query = z.object({ from: z.string().meta({ description: 'First day.' }), groupBy: z.enum(['day', 'key']).default('day') });
    expect(queryParameters(query, 'GET /usage')).toEqual([
      { name: 'from', in: 'query', required: true, description: 'First day.', schema: { type: 'string' } },
      { name: 'groupBy', in: 'query', required: false, schema: { type: 'string', enum: ['day', 'key'], default: 'day' } },
    ]);
  });
});
