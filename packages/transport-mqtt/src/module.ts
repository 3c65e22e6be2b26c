import { ContainerModule, injectable } from 'inversify';
import { MqttJsConnection } from './connection';
import { AedesBrokerFactory } from './embedded-broker';
import { EmbeddedBrokerFactoryToken, MqttTransportToken } from './tokens';
import type { MqttConnection, MqttConnectionOptions, MqttTransport } from './types';

/** The mqtt.js transport. */
@injectable()
export class MqttJsTransport implements MqttTransport {
  createConnection(options: MqttConnectionOptions): MqttConnection {
    return new MqttJsConnection(options);
  }
}

/** Binds {@link MqttTransportToken} and {@link EmbeddedBrokerFactoryToken}. */
export const transportMqttModule = new ContainerModule(({ bind }) => {
  bind(MqttTransportToken).to(MqttJsTransport).inSingletonScope();
  bind(EmbeddedBrokerFactoryToken).toConstantValue(new AedesBrokerFactory());
});
