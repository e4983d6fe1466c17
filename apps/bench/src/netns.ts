/**
 * Network namespaces for the scale-out bench's worker hosts, made with iproute2's `ip`: each host
 * gets a namespace of its own, joined to this one by a veth pair on a /30 of its own, so that it
 * reaches Redis over a network interface as a host on another machine would, not over loopback.
 * Making them needs root (CAP_NET_ADMIN); where that is missing the bench runs hosts on loopback.
 */
import { spawnSync } from 'node:child_process';

/** One host's namespace: its name, and the address of Redis's side of its link. */
export interface HostNetwork {
  readonly name: string;
  readonly redisAddress: string;
}

function ip(...args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`ip ${args.join(' ')}: ${result.error?.message ?? result.stderr.trim()}`);
  }
}

/**
 * `count` namespaces, named after this process so that parallel runs do not meet, and `remove` to
 * delete them; or why this process cannot make them (not root, no `ip`).
 */
export function makeNetworks(count: number): { networks: HostNetwork[]; remove(): void } | { why: string } {
  const networks: HostNetwork[] = [];
  const links: string[] = [];
  const remove = () => {
    // Deleting a namespace deletes the veth end inside it, and with it the pair.
    for (const { name } of networks) spawnSync('ip', ['netns', 'delete', name]);
    for (const link of links) spawnSync('ip', ['link', 'delete', link], { stdio: 'ignore' });
  };
  try {
    for (let index = 0; index < count; index++) {
      const name = `mproc-${process.pid}-${index}`;
      // Interface names have at most 15 characters; 10.213.index.0/30: .1 for Redis, .2 for the host.
      const outside = `mp${process.pid % 100_000}r${index}`;
      const inside = `mp${process.pid % 100_000}h${index}`;
      const subnet = `10.213.${index}`;
      ip('netns', 'add', name);
      networks.push({ name, redisAddress: `${subnet}.1` });
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
      links.push(outside);
      ip('link', 'set', inside, 'netns', name);
      ip('addr', 'add', `${subnet}.1/30`, 'dev', outside);
      ip('link', 'set', outside, 'up');
      ip('-n', name, 'addr', 'add', `${subnet}.2/30`, 'dev', inside);
      ip('-n', name, 'link', 'set', inside, 'up');
    }
    return { networks, remove };
  } catch (error) {
    remove();
    return { why: (error as Error).message };
  }
}
