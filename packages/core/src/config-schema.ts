import { DEFAULT_TOPIC_PREFIX, MODULE_ID_PATTERN } from '@imd-host/protocol-everest';

/** JSON schema (draft-07) of the host's configuration file. Module `options` are checked by each plugin's schema. */
export const hostConfigSchema = {
  $id: 'https://imd-host.dev/schemas/config.json',
  type: 'object',
  additionalProperties: false,
  required: ['modules'],
  properties: {
    mqtt: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        url: {
          type: 'string',
          pattern: '^(mqtt|mqtts|ws|wss|tcp|ssl)://[^\\s]+$',
          default: 'mqtt://127.0.0.1:1883',
          description: 'Broker URL: mqtt://, mqtts://, ws:// or wss://',
        },
        username: { type: 'string' },
        password: { type: 'string' },
        passwordFile: { type: 'string', minLength: 1, description: 'File holding the password (first line)' },
        clientId: {
          type: 'string',
          pattern: '^[A-Za-z0-9_.:-]{1,40}$',
          default: 'imd-host',
          description: 'Client id prefix; each module connects as <clientId>-<moduleId>',
        },
        tls: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ca: { type: 'string', minLength: 1 },
            cert: { type: 'string', minLength: 1 },
            key: { type: 'string', minLength: 1 },
            rejectUnauthorized: { type: 'boolean', default: true },
          },
        },
        keepaliveS: { type: 'integer', minimum: 1, maximum: 3600, default: 10 },
        embeddedBroker: { type: 'boolean', default: false },
      },
    },
    everest: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        topicPrefix: { type: 'string', minLength: 1, pattern: '^[^+#\\s]+$', default: DEFAULT_TOPIC_PREFIX },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], default: 'info' },
        pretty: { type: 'boolean' },
      },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      required: ['port'],
      description: 'Health (/healthz) and Prometheus metrics (/metrics) over HTTP; off when absent',
      properties: {
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        host: { type: 'string', minLength: 1, default: '127.0.0.1', description: 'Address to listen on' },
      },
    },
    modules: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['moduleId', 'plugin'],
        properties: {
          moduleId: { type: 'string', pattern: MODULE_ID_PATTERN },
          plugin: { type: 'string', minLength: 1 },
          communicationCheckIntervalS: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 1 },
          selfTestTimeoutS: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 30 },
          noDataTimeoutMs: { type: 'integer', minimum: 100 },
          options: { type: 'object', default: {} },
        },
      },
    },
  },
} as const;
