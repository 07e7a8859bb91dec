// A small CRI client (runtime.v1.RuntimeService, the calls the kubelet makes to run a pod) for
// integration tests, over gRPC to containerd's socket. The messages are the subset of
// k8s.io/cri-api's api.proto these tests use, same field numbers, parsed by protobufjs.
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';

const criProto = `
syntax = "proto3";
package runtime.v1;
message VersionRequest { string version = 1; }
message VersionResponse { string version = 1; string runtime_name = 2; string runtime_version = 3; string runtime_api_version = 4; }
message KeyValue { string key = 1; string value = 2; }
message PodSandboxMetadata { string name = 1; string uid = 2; string namespace = 3; uint32 attempt = 4; }
message NamespaceOption { int32 network = 1; int32 pid = 2; int32 ipc = 3; string target_id = 4; }
message LinuxSandboxSecurityContext { NamespaceOption namespace_options = 1; }
message LinuxPodSandboxConfig { string cgroup_parent = 1; LinuxSandboxSecurityContext security_context = 2; }
message PodSandboxConfig {
  PodSandboxMetadata metadata = 1; string hostname = 2; string log_directory = 3;
  map<string, string> labels = 6; map<string, string> annotations = 7; LinuxPodSandboxConfig linux = 8;
}
message RunPodSandboxRequest { PodSandboxConfig config = 1; string runtime_handler = 2; }
message RunPodSandboxResponse { string pod_sandbox_id = 1; }
message PodSandboxIdRequest { string pod_sandbox_id = 1; }
message Empty {}
message PodSandboxStatus { string id = 1; PodSandboxMetadata metadata = 2; int32 state = 3; }
message PodSandboxStatusResponse { PodSandboxStatus status = 1; }
message ContainerMetadata { string name = 1; uint32 attempt = 2; }
message ImageSpec { string image = 1; }
message ContainerConfig {
  ContainerMetadata metadata = 1; ImageSpec image = 2; repeated string command = 3;
  repeated string args = 4; string working_dir = 5; repeated KeyValue envs = 6;
  map<string, string> labels = 9; map<string, string> annotations = 10; string log_path = 11;
}
message CreateContainerRequest { string pod_sandbox_id = 1; ContainerConfig config = 2; PodSandboxConfig sandbox_config = 3; }
message CreateContainerResponse { string container_id = 1; }
message ContainerIdRequest { string container_id = 1; }
message StopContainerRequest { string container_id = 1; int64 timeout = 2; }
message ContainerStatus {
  string id = 1; ContainerMetadata metadata = 2; int32 state = 3; int64 created_at = 4;
  int64 started_at = 5; int64 finished_at = 6; int32 exit_code = 7; string reason = 10;
  string message = 11; string log_path = 15;
}
message ContainerStatusResponse { ContainerStatus status = 1; }
message ContainerStats { ContainerAttributes attributes = 1; CpuUsage cpu = 2; MemoryUsage memory = 3; }
message ContainerAttributes { string id = 1; }
message UInt64Value { uint64 value = 1; }
message CpuUsage { int64 timestamp = 1; UInt64Value usage_core_nano_seconds = 2; }
message MemoryUsage { int64 timestamp = 1; UInt64Value working_set_bytes = 2; }
message ContainerStatsResponse { ContainerStats stats = 1; }
`;

/** CRI container states (ContainerState). */
export const ContainerState = { created: 0, running: 1, exited: 2, unknown: 3 } as const;
/** CRI sandbox states (PodSandboxState). */
export const SandboxState = { ready: 0, notReady: 1 } as const;
/** NamespaceMode.NODE: share the host's namespace (a host-network pod needs no CNI). */
export const namespaceModeNode = 2;

type Message = Record<string, unknown>;

const root = protobuf.parse(criProto, { keepCase: true }).root;

export class CriClient {
  private readonly client: grpc.Client;

  constructor(socket: string) {
    this.client = new grpc.Client(`unix://${socket}`, grpc.credentials.createInsecure());
  }

  /** Calls `runtime.v1.RuntimeService/<method>` with a plain object; returns a plain object. */
  call(
    method: string,
    requestType: string,
    responseType: string,
    request: Message,
  ): Promise<Message> {
    const req = root.lookupType(`runtime.v1.${requestType}`);
    const res = root.lookupType(`runtime.v1.${responseType}`);
    const error = req.verify(request);
    if (error) return Promise.reject(new Error(`${requestType}: ${error}`));
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        `/runtime.v1.RuntimeService/${method}`,
        (value: Message) => Buffer.from(req.encode(req.fromObject(value)).finish()),
        (bytes: Buffer) =>
          res.toObject(res.decode(bytes), { longs: Number, defaults: true }) as Message,
        request,
        { deadline: Date.now() + 60_000 },
        (err, value) =>
          err ? reject(new Error(`CRI ${method}: ${err.message}`)) : resolve(value!),
      );
    });
  }

  version = () => this.call('Version', 'VersionRequest', 'VersionResponse', { version: 'v1' });
  runPodSandbox = (config: Message, runtimeHandler: string) =>
    this.call('RunPodSandbox', 'RunPodSandboxRequest', 'RunPodSandboxResponse', {
      config,
      runtime_handler: runtimeHandler,
    }).then((r) => r.pod_sandbox_id as string);
  podSandboxStatus = (id: string) =>
    this.call('PodSandboxStatus', 'PodSandboxIdRequest', 'PodSandboxStatusResponse', {
      pod_sandbox_id: id,
    }).then((r) => r.status as Message);
  stopPodSandbox = (id: string) =>
    this.call('StopPodSandbox', 'PodSandboxIdRequest', 'Empty', { pod_sandbox_id: id });
  removePodSandbox = (id: string) =>
    this.call('RemovePodSandbox', 'PodSandboxIdRequest', 'Empty', { pod_sandbox_id: id });
  createContainer = (sandboxId: string, config: Message, sandboxConfig: Message) =>
    this.call('CreateContainer', 'CreateContainerRequest', 'CreateContainerResponse', {
      pod_sandbox_id: sandboxId,
      config,
      sandbox_config: sandboxConfig,
    }).then((r) => r.container_id as string);
  startContainer = (id: string) =>
    this.call('StartContainer', 'ContainerIdRequest', 'Empty', { container_id: id });
  stopContainer = (id: string, timeoutSeconds: number) =>
    this.call('StopContainer', 'StopContainerRequest', 'Empty', {
      container_id: id,
      timeout: timeoutSeconds,
    });
  removeContainer = (id: string) =>
    this.call('RemoveContainer', 'ContainerIdRequest', 'Empty', { container_id: id });
  containerStatus = (id: string) =>
    this.call('ContainerStatus', 'ContainerIdRequest', 'ContainerStatusResponse', {
      container_id: id,
    }).then((r) => r.status as Message);
  containerStats = (id: string) =>
    this.call('ContainerStats', 'ContainerIdRequest', 'ContainerStatsResponse', {
      container_id: id,
    }).then((r) => r.stats as Message);

  close(): void {
    this.client.close();
  }
}
