/**
 * OpenAPI 3.1 description of the simulator control API (served at `GET /openapi.json`).
 * `control-api.test.ts` checks that every route of the server is described here and vice versa.
 */
const error = { $ref: '#/components/schemas/Error' };
const ok = (props: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'object', required: ['ok'], properties: { ok: { const: true }, ...props },
});
const json = (schema: unknown): Record<string, unknown> => ({ content: { 'application/json': { schema } } });
const responses = (success: Record<string, unknown>, ...codes: number[]): Record<string, unknown> => {
  const r: Record<string, unknown> = { 200: { description: 'done', ...json(success) } };
  for (const c of codes) r[c] = { description: 'error', ...json(error) };
  return r;
};
const deviceId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const place = { name: 'place', in: 'path', required: true, schema: { type: 'string' }, description: "place in the model's notation (A12, 4-7, C12, 2-5)" };

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'simnav simulator control API',
    version: '1',
    description: 'Drives the virtual mobile network and the simulated aggregators of `simnav sim`. Errors are `{ok:false,error:{code,message}}`.',
  },
  paths: {
    '/health': { get: { summary: 'liveness', responses: responses(ok({ devices: { type: 'integer' } })) } },
    '/openapi.json': { get: { summary: 'this document', responses: { 200: { description: 'OpenAPI document' } } } },
    '/devices': { get: { summary: 'every device: mechanics, modems (power, +CREG stat, SIM, call), outbox, counters', responses: responses(ok({ devices: { type: 'array', items: { $ref: '#/components/schemas/Device' } } })) } },
    '/devices/{id}': { get: { summary: 'one device', parameters: [deviceId], responses: responses(ok({ device: { $ref: '#/components/schemas/Device' } }), 404) } },
    '/devices/{id}/faults': {
      post: {
        summary: 'script a fault',
        description: 'drop-answer: the next outbound message is lost; answer-twice: the next answer is sent twice; silent {seconds}: no polls (server mode: requests get no answer, dropped when the silence ends); reboot: volatile state lost, then `SR start`; garbage: one poll carries junk; slow-poll {intervalMs, seconds?}: slower cadence; modem-dead / modem-alive {modem}: a modem prints nothing / recovers; jam: the next mechanical move (card:, row:, modem>card:) fails with NULL.',
        parameters: [deviceId],
        requestBody: { required: true, ...json({ $ref: '#/components/schemas/Fault' }) },
        responses: responses(ok({ device: { type: 'string' }, kind: { type: 'string' } }), 400, 404),
      },
    },
    '/devices/{id}/slots/{place}': {
      delete: { summary: 'take the card out of a slot', parameters: [deviceId, place], responses: responses(ok({ place: { type: 'string' }, number: { type: 'string' } }), 400, 404, 409) },
      put: {
        summary: 'put a card into a slot: the one taken out before, or a new one',
        parameters: [deviceId, place],
        requestBody: { required: false, ...json({ type: 'object', properties: { operator: { enum: ['mts', 'beeline', 'megafon', 'tele2'] }, msisdn: { type: 'string' }, registration: { $ref: '#/components/schemas/Registration' } } }) },
        responses: responses(ok({ place: { type: 'string' }, number: { type: 'string' } }), 400, 404, 409),
      },
    },
    '/sims': { get: { summary: 'every SIM: number, ICCID, operator, registration, where it is, stored and pending SMS', responses: responses(ok({ sims: { type: 'array', items: { type: 'object' } } })) } },
    '/sims/{number}': {
      put: {
        summary: "set a SIM's registration behaviour (takes effect at once in the modem holding it)",
        parameters: [{ name: 'number', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, ...json({ type: 'object', required: ['registration'], properties: { registration: { $ref: '#/components/schemas/Registration' } } }) },
        responses: responses(ok({ number: { type: 'string' }, registration: { $ref: '#/components/schemas/Registration' } }), 400, 404),
      },
    },
    '/sms': {
      post: {
        summary: 'deliver an SMS to a simulated SIM (text, split into concatenated parts when long, or a raw SMS-DELIVER PDU)',
        requestBody: {
          required: true,
          ...json({
            type: 'object', required: ['to'],
            properties: {
              to: { type: 'string', description: 'receiving number' },
              from: { type: 'string', description: 'sender: +digits, digits, or an alphanumeric name (≤ 11 chars)' },
              text: { type: 'string', maxLength: 2000 },
              pdu: { type: 'string', description: 'hex SMS-DELIVER including the SMSC field' },
              alphabet: { enum: ['gsm7', 'ucs2'] },
              shuffle: { type: 'boolean', description: 'deliver the parts out of order' },
            },
          }),
        },
        responses: responses(ok({ parts: { type: 'integer' }, delivered: { type: 'boolean', description: 'false: the SIM is not registered now; the network keeps the message until it is' } }), 400, 404),
      },
    },
    '/call': {
      post: {
        summary: 'ring a simulated SIM (+CLIP every ~3 s until answered or the caller hangs up after `seconds`)',
        requestBody: { required: true, ...json({ type: 'object', required: ['to', 'from'], properties: { to: { type: 'string' }, from: { type: 'string' }, seconds: { type: 'number', minimum: 1, maximum: 3600, default: 15 } } }) },
        responses: responses(ok({ ringing: { const: true } }), 400, 404, 409),
      },
    },
    '/network/sent': { get: { summary: 'SMS the modems sent (sms>send, SMART sms.send)', responses: responses(ok({ sent: { type: 'array', items: { type: 'object' } } })) } },
    '/network/calls': { get: { summary: 'calls placed to and by the simulated SIMs', responses: responses(ok({ calls: { type: 'array', items: { type: 'object' } } })) } },
  },
  components: {
    schemas: {
      Error: { type: 'object', required: ['ok', 'error'], properties: { ok: { const: false }, error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
      Registration: { enum: ['ok', 'roaming', 'searching', 'denied', 'none', 'unknown'], description: 'ok → stat 1, roaming → 5, searching → stays 2, denied → 3, none → stays 0, unknown → 4' },
      Fault: {
        type: 'object', required: ['kind'],
        properties: {
          kind: { enum: ['drop-answer', 'answer-twice', 'silent', 'reboot', 'garbage', 'slow-poll', 'modem-dead', 'modem-alive', 'jam'] },
          seconds: { type: 'number' }, intervalMs: { type: 'number' }, modem: { type: 'integer' },
        },
      },
      Device: {
        type: 'object',
        properties: {
          id: { type: 'string' }, model: { type: 'string' }, family: { enum: ['classic', 'smart'] },
          state: { enum: ['stopped', 'polling', 'executing', 'sleeping', 'silent', 'rebooting'] },
          link: { enum: ['client', 'server'], description: 'client: the device polls the panel; server: the panel calls it (device-link.md §2.5)' },
          server: { type: ['string', 'null'], description: 'server mode: host:port the device listens on (/port?data=<token>||<step>||<command>); null before it listens' },
          outbox: { type: 'integer' }, stats: { type: 'object' }, mechanics: { type: 'object' }, selected: { type: 'integer' },
          slots: { type: 'object', additionalProperties: { type: 'string' }, description: 'place → number' },
          modems: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, powered: { type: 'boolean' }, ready: { type: 'boolean' }, creg: { type: 'integer' }, iccid: { type: ['string', 'null'] }, msisdn: { type: ['string', 'null'] }, place: { type: ['string', 'null'] }, call: { type: 'object' } } } },
        },
      },
    },
  },
} as const;
