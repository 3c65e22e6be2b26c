import 'reflect-metadata';

export type {
  EmbeddedBroker,
  EmbeddedBrokerFactory,
  MessageHandler,
  MqttConnection,
  MqttConnectionOptions,
  MqttTlsOptions,
  MqttTransport,
  MqttWill,
  OfflinePolicy,
  PublishOptions,
} from './types';
export { MqttTransportToken, EmbeddedBrokerFactoryToken } from './tokens';
export { MqttJsConnection, describeMqttError, redactUrl } from './connection';
export { AedesBrokerFactory } from './embedded-broker';
export { MqttJsTransport, transportMqttModule } from './module';
