import type { ServiceIdentifier } from 'inversify';
import type { EmbeddedBrokerFactory, MqttTransport } from './types';

/** Injection token of the {@link MqttTransport}. */
export const MqttTransportToken: ServiceIdentifier<MqttTransport> = Symbol.for('imd-host.MqttTransport');
/** Injection token of the {@link EmbeddedBrokerFactory}. */
export const EmbeddedBrokerFactoryToken: ServiceIdentifier<EmbeddedBrokerFactory> = Symbol.for(
  'imd-host.EmbeddedBrokerFactory',
);
