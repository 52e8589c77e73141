/** A container as Docker describes it, reduced to what a capture needs. */
export interface ContainerNetwork {
  /** Docker network name (`bridge`, `myproject_default`, ...). */
  name: string;
  ipv4?: string;
  ipv6?: string;
  mac?: string;
}

export interface ResolvedContainer {
  id: string;
  /** Name without Docker's leading slash. */
  name: string;
  /** PID of the container's init process; its network namespace is the container's. */
  pid: number;
  running: boolean;
  /** Docker's HostConfig.NetworkMode: `bridge`, `host`, `none`, `container:<id>`, or a network name. */
  networkMode: string;
  networks: ContainerNetwork[];
}
