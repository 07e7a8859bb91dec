// The protobuf messages tswasm speaks, as typed encode/decode codecs generated from the .proto
// files beside this one (proto/generate.js → proto/gen/). Each message name is both an
// interface (the decoded shape) and a codec object: `TaskExit.encode({ containerId, ... })`,
// `StateRequest.decode(bytes)`; `<Name>Init` is the input shape where every field is optional.
// 64-bit integers decode as bigint and encode from bigint or number.
//
// Flat exports: the task API (containerd.task.v2), containerd types and events, the events
// service, google.protobuf. Packages whose names clash are exported as namespaces:
// `cgroupsV1` / `cgroupsV2` (Metrics), `rpc` (google.rpc.Status), `ttrpc` (the envelopes).
export * from './gen/containerd.task.v2';
export * from './gen/containerd.types';
export * from './gen/containerd.v1.types';
export * from './gen/containerd.events';
export * from './gen/containerd.services.events.ttrpc.v1';
export * from './gen/google.protobuf';
export * as cgroupsV1 from './gen/io.containerd.cgroups.v1';
export * as cgroupsV2 from './gen/io.containerd.cgroups.v2';
export * as rpc from './gen/google.rpc';
export * as ttrpc from './gen/ttrpc';
export type { MessageType, MethodType } from './runtime';

import type { Timestamp, TimestampInit, AnyInit } from './gen/google.protobuf';
import type { MessageType } from './runtime';

/** A Timestamp for a Date or epoch milliseconds (default: now). */
export function timestampFromMs(ms: number = Date.now()): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** A Timestamp for a Date. */
export function timestampFromDate(date: Date): Timestamp {
  return timestampFromMs(date.getTime());
}

/** Epoch milliseconds of a Timestamp (precision below 1 ms is dropped). */
export function timestampToMs(ts: TimestampInit | undefined): number {
  if (!ts) return 0;
  return Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/**
 * Packs a message into an Any with containerd's type URL convention: the bare message name
 * (`containerd.events.TaskExit`), never a `type.googleapis.com/` prefix.
 */
export function packAny<T, Init>(type: MessageType<T, Init>, message: Init): AnyInit {
  return { typeUrl: type.typeName, value: type.encode(message) };
}

/** The message name of an Any's type URL, with any `…/` prefix removed. */
export function anyTypeName(typeUrl: string): string {
  const slash = typeUrl.lastIndexOf('/');
  return slash < 0 ? typeUrl : typeUrl.slice(slash + 1);
}
