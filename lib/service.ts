// The lifecycle every long-running part shares: start(), stop() that drains and commits, health().

export interface Health {
  ok: boolean;
  detail?: string;
  [key: string]: unknown;
}

export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): Promise<Health>;
}
