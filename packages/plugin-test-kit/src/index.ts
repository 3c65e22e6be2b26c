export { describeDriverConformance } from './conformance';
export type { ConformanceOptions } from './conformance';
export { recordingContext, waitUntil } from './recording-context';
export type { RecordingContext } from './recording-context';
