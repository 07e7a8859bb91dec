// Typed calls over the raw-bytes TtrpcClient: encode the request and decode the response with
// the method's generated codecs (e.g. TaskService.methods.State from proto/).
import type { MethodType } from '../../proto/runtime';
import type { CallOptions, TtrpcClient } from './client';

/**
 * Calls `service`/`method.name` with a typed request and resolves to the typed response, e.g.
 * `callMethod(client, 'containerd.task.v2.Task', TaskService.methods.State, { id })`.
 */
export async function callMethod<Req, ReqInit, Res, ResInit>(
  client: TtrpcClient,
  service: string,
  method: MethodType<Req, ReqInit, Res, ResInit>,
  request: ReqInit,
  options?: CallOptions,
): Promise<Res> {
  const response = await client.call(service, method.name, method.request.encode(request), options);
  return method.response.decode(response);
}
