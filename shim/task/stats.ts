// Stats for a container in the metrics type of the host's cgroup version, which is what
// containerd's CRI expects (an unknown type URL breaks stats for the whole node): memory from
// linear memory plus worker heap, CPU from the worker threads' busy time.
import * as fs from 'fs';
import * as pb from '../../proto';
import type { Container } from './container';

const cgroup2Magic = 0x63677270;

let unifiedHost: boolean | undefined;

/** True on a cgroup v2 (unified) host. */
export function isCgroup2Host(): boolean {
  if (unifiedHost === undefined) {
    try {
      unifiedHost = fs.statfsSync('/sys/fs/cgroup').type === cgroup2Magic;
    } catch {
      unifiedHost = false;
    }
  }
  return unifiedHost;
}

export interface ContainerUsage {
  memoryBytes: number;
  memoryLimit: number | undefined;
  cpuNanos: number;
  processes: number;
}

export function usageOf(container: Container): ContainerUsage {
  let memoryBytes = 0;
  let cpuNanos = 0;
  let processes = 0;
  for (const proc of container.all()) {
    const usage = proc.usage();
    memoryBytes += usage.memoryBytes;
    cpuNanos += usage.cpuNanos;
    if (proc.live) processes++;
  }
  return { memoryBytes, memoryLimit: container.plan.memoryLimit, cpuNanos, processes };
}

export function metricsFor(container: Container, cgroup2 = isCgroup2Host()): pb.AnyInit {
  return cgroup2 ? v2Metrics(usageOf(container)) : v1Metrics(usageOf(container));
}

export function v1Metrics(usage: ContainerUsage): pb.AnyInit {
  const memory = BigInt(Math.round(usage.memoryBytes));
  const limit = BigInt(usage.memoryLimit ?? 0);
  const cpu = BigInt(usage.cpuNanos);
  return pb.packAny(pb.cgroupsV1.Metrics, {
    pids: { current: BigInt(usage.processes), limit: 0n },
    cpu: { usage: { total: cpu, user: cpu, kernel: 0n, perCpu: [] } },
    memory: {
      rss: memory,
      totalRss: memory,
      hierarchicalMemoryLimit: limit,
      usage: { usage: memory, limit, max: memory, failcnt: 0n },
    },
  });
}

export function v2Metrics(usage: ContainerUsage): pb.AnyInit {
  const memory = BigInt(Math.round(usage.memoryBytes));
  const micros = BigInt(Math.round(usage.cpuNanos / 1000));
  return pb.packAny(pb.cgroupsV2.Metrics, {
    pids: { current: BigInt(usage.processes), limit: 0n },
    cpu: { usageUsec: micros, userUsec: micros, systemUsec: 0n },
    memory: { usage: memory, anon: memory, usageLimit: BigInt(usage.memoryLimit ?? 0) },
  });
}
