/**
 * What live capture needs before it starts: root, the kernel's BTF (the probe is CO-RE), and
 * the built probe loader. Each missing piece is named with how to fix it, all in one message.
 */
import { existsSync } from 'node:fs';
import { defaultProbeBinaryPath } from '../sources/ebpf/probe-process.js';

/** One missing requirement and how to fix it. */
export interface PreflightProblem {
  missing: string;
  fix: string;
}

export interface PreflightEnvironment {
  euid: number;
  btfPath: string;
  probePath: string;
  exists: (path: string) => boolean;
}

/** The running process's view of the requirements. */
function currentEnvironment(): PreflightEnvironment {
  return {
    euid: process.geteuid?.() ?? -1,
    btfPath: '/sys/kernel/btf/vmlinux',
    probePath: defaultProbeBinaryPath(),
    exists: existsSync,
  };
}

/** Every requirement live capture lacks here; empty when it can start. */
export function preflightProblems(
  environment: PreflightEnvironment = currentEnvironment(),
): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  if (environment.euid !== 0) {
    problems.push({
      missing: 'root privileges (loading eBPF programs needs them)',
      fix: 'run it as root, e.g. with sudo',
    });
  }
  if (!environment.exists(environment.btfPath)) {
    problems.push({
      missing: `kernel BTF at ${environment.btfPath}`,
      fix: 'use a kernel built with CONFIG_DEBUG_INFO_BTF=y (Linux 5.8 or later; most distribution kernels have it)',
    });
  }
  if (!environment.exists(environment.probePath)) {
    problems.push({
      missing: `the eBPF probe loader at ${environment.probePath}`,
      fix: 'build it with scripts/build-probe.sh (needs clang, libbpf-dev and bpftool), or point HARRIER_PROBE_PATH at a built one',
    });
  }
  return problems;
}

/** The one message a command prints when requirements are missing. */
export function formatPreflight(command: string, problems: readonly PreflightProblem[]): string {
  const lines = problems.map((problem) => `  - missing ${problem.missing}: ${problem.fix}`);
  return `harrier ${command}: cannot start live capture:\n${lines.join('\n')}\n`;
}
