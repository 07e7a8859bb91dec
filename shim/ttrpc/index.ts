// ttrpc, containerd's lightweight RPC over unix sockets: server, client, handler registry and
// status codes. See framing.ts for the wire format.
export { TtrpcServer } from './server';
export type { TtrpcServerOptions } from './server';
export { TtrpcClient } from './client';
export type { CallOptions, ConnectOptions } from './client';
export { ServiceRegistry } from './registry';
export type { CallContext, Handler, HandlerSource, RegisteredMethod } from './registry';
export { RpcError, StatusCode, statusCodeName, statusOf } from './status';
export { socketPathOf, socketAnswers } from './socket';
export { MAX_PAYLOAD } from './framing';
export { callMethod } from './typed';
