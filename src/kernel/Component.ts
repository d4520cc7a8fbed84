/** Lifecycle states every engine component goes through. */
export const ComponentState = {
  READY: 'READY',
  RUNNING: 'RUNNING',
  STOPPED: 'STOPPED',
  FAULTED: 'FAULTED',
} as const;
export type ComponentState = (typeof ComponentState)[keyof typeof ComponentState];

/**
 * Base of engines, clients and strategies: start/stop are idempotent and a component
 * that threw while starting is FAULTED, never half-running.
 */
export abstract class Component {
  private lifecycle: ComponentState = ComponentState.READY;

  constructor(readonly name: string) {}

  get state(): ComponentState {
    return this.lifecycle;
  }

  start(): void {
    if (this.lifecycle === ComponentState.RUNNING) return;
    try {
      this.onStart();
      this.lifecycle = ComponentState.RUNNING;
    } catch (e) {
      this.lifecycle = ComponentState.FAULTED;
      throw e;
    }
  }

  stop(): void {
    if (this.lifecycle !== ComponentState.RUNNING) return;
    try {
      this.onStop();
    } finally {
      this.lifecycle = ComponentState.STOPPED;
    }
  }

  protected onStart(): void {}
  protected onStop(): void {}
}
