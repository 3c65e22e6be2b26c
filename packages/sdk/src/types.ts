/**
 * The error types of EVerest's isolation_monitor API v1 (`m2e/raise_error`, `m2e/clear_error`).
 *
 * - `DeviceFault`: the IMD is not functional and cannot monitor the isolation.
 * - `CommunicationFault`: the link to the device (or to its driver) is lost or erroneous.
 * - `VendorError`: a vendor-specific error; EVerest stops charging.
 * - `VendorWarning`: a vendor-specific warning; charging may continue.
 *
 * Isolation faults themselves are not errors: report them as low resistance values.
 */
export type ErrorType = 'DeviceFault' | 'CommunicationFault' | 'VendorError' | 'VendorWarning';

/** All error types, in the order of the API's enum. */
export const ERROR_TYPES: readonly ErrorType[] = ['DeviceFault', 'CommunicationFault', 'VendorError', 'VendorWarning'];

/** Identifies an error: its type and, optionally, a sub type (e.g. a vendor code). */
export interface ErrorRef {
  readonly type: ErrorType;
  /** Distinguishes errors of the same type; errors are keyed by `type` + `subType`. */
  readonly subType?: string;
}

/** An error as a driver raises it. */
export interface DeviceError extends ErrorRef {
  /** Human-readable cause, shown to the operator by EVerest. */
  readonly message?: string;
}

/** One isolation measurement as the device reported it. */
export interface Measurement {
  /** Insulation resistance between DC+/DC- and PE in Ohm (finite, >= 0). */
  readonly resistanceOhm: number;
  /** DC voltage between the positive and negative terminal in V. */
  readonly voltageV?: number;
  /** DC voltage L1 (DC+) to earth in V. */
  readonly voltageToEarthL1eV?: number;
  /** DC voltage L2 (DC-) to earth in V. */
  readonly voltageToEarthL2eV?: number;
  /**
   * When the device took the value, in ms since the epoch (`Date.now()` clock).
   * Defaults to the moment the host receives it. Values older than the driver's
   * `pollIntervalMs` are discarded by the host.
   */
  readonly takenAt?: number;
}

/** A structured logger (pino compatible): `log.info({ key: value }, 'message')`. */
export interface LogFn {
  (msg: string): void;
  (obj: object, msg?: string): void;
}

/** The logger handed to drivers; a pino child logger bound to the module. */
export interface Logger {
  readonly trace: LogFn;
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
  readonly fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * What the host gives a driver: where to send what the device says. The host, not the
 * driver, decides what reaches EVerest: measurements are dropped while stopped, during a
 * self test, while a DeviceFault or CommunicationFault is active, or when stale or invalid.
 */
export interface DriverContext {
  /** The EVerest module id this driver serves. */
  readonly moduleId: string;
  /** Logger bound to this module and plugin. */
  readonly log: Logger;
  /** Report a measurement. Safe to call at any time; the host applies the protocol rules. */
  measurement(value: Measurement): void;
  /** Raise a device error. Raising an error that is already active does nothing. */
  raiseError(error: DeviceError): void;
  /** Clear a device error. Clearing an error that is not active does nothing. */
  clearError(error: ErrorRef): void;
}

/**
 * A driver talks to one device. The host calls its methods one at a time per module
 * (never concurrently, except `selfTest`, which may overlap with measuring); any method may
 * reject: the host logs it and raises a CommunicationFault for the module.
 */
export interface Driver {
  /**
   * Nominal period between two measurements while measuring, in ms. A measurement older
   * than this is stale and never published; no measurement for several periods makes the
   * host raise a CommunicationFault by itself.
   */
  readonly pollIntervalMs: number;
  /**
   * Connect to the device and begin supervising it (presence checks). Called once when the
   * host starts, before EVerest asks for measurements. A device that is absent should not
   * make this reject: raise a CommunicationFault and keep retrying instead.
   */
  open(): Promise<void>;
  /** Start recurring measurements (EVerest's `e2m/start`). */
  start(): Promise<void>;
  /** Stop recurring measurements (EVerest's `e2m/stop`). */
  stop(): Promise<void>;
  /**
   * Run the device's self test at the given test voltage and resolve with pass (`true`) or
   * fail (`false`). When the host's time-out expires, `signal` is aborted and the host answers
   * `false` itself; the driver should then give up and leave the device in a usable state.
   */
  selfTest(testVoltageV: number, signal: AbortSignal): Promise<boolean>;
  /** Disconnect and release every timer, socket and listener. Called once, at shutdown. */
  close(): Promise<void>;
}

/** A JSON schema (draft-07) object. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * What a plugin package exports (as `default` or as `plugin`). The host validates the
 * module's `options` against `optionsSchema` (applying its defaults) before it calls
 * `createDriver`.
 */
export interface PluginDescriptor<Options = unknown> {
  /** The plugin's name, e.g. its npm package name. */
  readonly name: string;
  /** The plugin's own version. */
  readonly version: string;
  /** The version of `@imd-host/sdk` the plugin was built against; the major must match the host's. */
  readonly sdkVersion: string;
  /** One line saying which devices this plugin drives. */
  readonly description?: string;
  /** JSON schema (draft-07) of the module's `options`; defaults in it are applied. */
  readonly optionsSchema: JsonSchema;
  /** Example `options` objects; each must validate against `optionsSchema`. */
  readonly optionsExamples?: readonly Options[];
  /** Create a driver for one module. Must not do I/O: that belongs in `Driver.open`. */
  createDriver(options: Options, context: DriverContext): Driver;
  /** Device simulators this plugin ships, run by `imd-host simulate-device <name> ...`. */
  readonly simulators?: readonly DeviceSimulatorCommand[];
}

/**
 * A device simulator for bring-up without hardware, run by the CLI as
 * `imd-host simulate-device <name> [args...]`.
 */
export interface DeviceSimulatorCommand {
  /** The device name on the command line, e.g. `bender-iso165c`. */
  readonly name: string;
  /** One line for the CLI's help. */
  readonly description: string;
  /** Usage text: the arguments it takes, one per line. */
  readonly usage: string;
  /**
   * Run the simulator with the remaining command-line arguments until `signal` aborts.
   * Reject with an Error whose message says what is wrong for bad arguments.
   */
  run(argv: readonly string[], signal: AbortSignal, log: Logger): Promise<void>;
}

/** The `imd-host` field of a plugin's package.json: lets tools list plugins without running them. */
export interface PluginManifest {
  /** The SDK range the plugin supports, e.g. `^1`. */
  readonly sdk: string;
  /** One-line description. */
  readonly description?: string;
}
