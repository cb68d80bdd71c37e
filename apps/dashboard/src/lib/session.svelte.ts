import { api, onUnauthorized, type RouterOutputs } from './trpc.js';

type User = NonNullable<RouterOutputs['auth']['me']['user']>;

/** Who is logged in, shared by every page. */
class Session {
  user = $state<User | null>(null);
  loaded = $state(false);

  async refresh(): Promise<void> {
    try {
      this.user = (await api.auth.me.query()).user;
    } catch {
      this.user = null;
    }
    this.loaded = true;
  }

  set(user: User | null): void {
    this.user = user;
    this.loaded = true;
  }
}

export const session = new Session();

onUnauthorized(() => session.set(null));

/** Routes that work without logging in. */
const PUBLIC_ROUTES: readonly string[] = ['/login', '/signup'];

export function isPublicRoute(path: string): boolean {
  return PUBLIC_ROUTES.includes(path);
}
