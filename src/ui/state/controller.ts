// Lit glue: re-render the element that holds the page's state (<stepsize-app>) whenever a state
// object (an EventTarget that fires 'change') changes; the components below it get new properties.
// Targets are re-read before each update, so a property set after connection is watched.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class Watch implements ReactiveController {
  private watched: EventTarget[] = [];
  private readonly onChange = () => this.host.requestUpdate();

  constructor(private readonly host: ReactiveControllerHost, private readonly targets: () => (EventTarget | null | undefined)[]) {
    host.addController(this);
  }

  private sync(): void {
    const now = this.targets().filter((t): t is EventTarget => !!t);
    if (now.length === this.watched.length && now.every((t, i) => t === this.watched[i])) return;
    for (const t of this.watched) t.removeEventListener('change', this.onChange);
    for (const t of now) t.addEventListener('change', this.onChange);
    this.watched = now;
  }

  hostConnected(): void {
    this.sync();
  }

  hostUpdate(): void {
    this.sync();
  }

  hostDisconnected(): void {
    for (const t of this.watched) t.removeEventListener('change', this.onChange);
    this.watched = [];
  }
}
