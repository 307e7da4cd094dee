/**
 * The app's "browser overlay" switch: runs the same HTTP overlay server as
 * `earshot caption --overlay-port`, restarting it when port or host change, and mirrors
 * every message the Electron overlay gets.
 */
import type { CaptionSnapshot } from '../../shared/captions.js';
import { toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import type { MainToRenderer } from '../../shared/ipc-contract.js';
import type { OverlayStyle } from '../../shared/overlay-style.js';
import type { Settings } from '../../shared/settings.js';
import type { OverlayServer, OverlayServerOptions } from '../overlay/overlay-server.js';

export interface BrowserOverlayDeps {
  startServer(options: OverlayServerOptions): Promise<OverlayServer>;
  staticDir: string;
  getSnapshot(): CaptionSnapshot;
  getStyle(): OverlayStyle;
  onStarted(url: string): void;
  onError(error: ErrorInfo): void;
}

type ServerSettings = Settings['overlayServer'];

export class BrowserOverlay {
  private server: OverlayServer | null = null;
  private applied: ServerSettings | null = null;
  /** Serialises restarts so two quick saves cannot start two servers. */
  private queue: Promise<void> = Promise.resolve();
  /** Kept across restarts so an OBS source keeps working when only the port changes. */
  private token: string | undefined;

  constructor(private readonly deps: BrowserOverlayDeps) {}

  get url(): string | null {
    return this.server?.url ?? null;
  }

  apply(next: ServerSettings): Promise<void> {
    const task = async () => {
      const same = this.applied && this.applied.enabled === next.enabled && this.applied.port === next.port && this.applied.host === next.host;
      if (same) return;
      this.applied = { ...next };
      await this.stopServer();
      if (!next.enabled) return;
      try {
        this.server = await this.deps.startServer({
          host: next.host,
          port: next.port,
          ...(this.token ? { token: this.token } : {}),
          staticDir: this.deps.staticDir,
          getSnapshot: () => this.deps.getSnapshot(),
          getStyle: () => this.deps.getStyle(),
        });
        this.token = this.server.token;
        this.deps.onStarted(this.server.url);
      } catch (err) {
        this.deps.onError(toErrorInfo(err));
      }
    };
    this.queue = this.queue.then(task, task);
    return this.queue;
  }

  publish<K extends keyof MainToRenderer>(channel: K, payload: MainToRenderer[K]): void {
    this.server?.publish(channel, payload);
  }

  async close(): Promise<void> {
    await this.queue;
    await this.stopServer();
  }

  private async stopServer(): Promise<void> {
    const s = this.server;
    this.server = null;
    await s?.close();
  }
}
