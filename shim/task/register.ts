// Puts the Task service's methods into a ttrpc (or gRPC) handler registry, under both
// containerd.task.v2.Task and containerd.task.v3.Task: decode the request, call the method,
// convert a failure to its status code (the one place that does), encode the response.
import { TaskService as TaskApi } from '../../proto';
import { toRpcError } from '../errors';
import type { Handler } from '../ttrpc/registry';
import type { TaskService } from './service';

export interface HandlerRegistry {
  register(service: string, method: string, handler: Handler): void;
}

export const taskServiceNames = ['containerd.task.v2.Task', 'containerd.task.v3.Task'] as const;

type MethodName = keyof typeof TaskApi.methods;

export function registerTaskService(
  registry: HandlerRegistry,
  service: TaskService,
  debug: (message: string, containerId: string) => void = () => {},
): void {
  for (const name of Object.keys(TaskApi.methods) as MethodName[]) {
    const method = TaskApi.methods[name];
    const call = service[name] as (request: unknown) => Promise<unknown>;
    const handler: Handler = async (bytes) => {
      let id = '';
      try {
        const request = method.request.decode(bytes);
        id = (request as { id?: string }).id ?? '';
        debug(`${name} ${describe(request)}`, id);
        const response = await call.call(service, request);
        return (method.response.encode as (m: unknown) => Uint8Array)(response);
      } catch (err) {
        const rpcError = toRpcError(err);
        debug(`${name} failed: ${rpcError.toString()}`, id);
        throw rpcError;
      }
    };
    for (const serviceName of taskServiceNames) registry.register(serviceName, name, handler);
  }
}

/** The ids a request names, for the debug log. */
function describe(request: unknown): string {
  const { id, execId } = request as { id?: string; execId?: string };
  return execId ? `${id}/${execId}` : (id ?? '');
}
