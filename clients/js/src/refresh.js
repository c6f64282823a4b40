// One refresh for many callers: within a tab, and across the tabs of one origin.
//
// Why: every refresh rotates the refresh token (docs/contract.md §4). The server keeps
// concurrent refreshes safe (a retry of the previous token within 30 s gets the same
// successor), but N tabs × M requests refreshing at once would still cost N × M
// rotations, hit the per-IP refresh limit, and lean on a grace window that is meant
// for network retries. So:
//
// - In a tab, concurrent callers share the one in-flight refresh (a promise).
// - Across tabs, the refresh runs under the Web Lock `<name>:refresh`. A tab that gets
//   the lock first checks whether the cookies were renewed *after* the request that
//   failed was sent; if so a sibling refreshed meanwhile and it only retries.
//
// How a tab learns that a sibling renewed the cookies: the cookies themselves cannot
// tell (the tokens are HttpOnly; the CSRF value is bound to the session, not to the
// rotation). BroadcastChannel messages carry the news, but they are not ordered with
// lock grants (different task sources), so a broadcast may arrive after the lock. The
// lock manager is ordered, though: before releasing `<name>:refresh`, the refreshing
// tab takes a shared lock named `<name>:renewed:<time>:<tab>` and holds it; the next
// holder of `<name>:refresh` finds it with `navigator.locks.query()`. Each tab holds
// at most one such marker (it lets go of the previous one), and a closed tab's marker
// disappears with it — which costs at most one extra refresh, never a sign-out.
//
// Times are `Date.now()` milliseconds: the tabs of one browser share that clock.
//
// Without Web Locks, tabs refresh independently (each still coalesced within itself),
// skip when a broadcast already told them, and rely on the server's grace window.
//
// Security: nothing here sees a token; lock names carry a timestamp and a random tab id.

const MARKER = ":renewed:";

export class RefreshCoordinator {
  /**
   * @param {{locks: LockManager|null, now: () => number, name: string,
   *          performRefresh: () => Promise<{at: number}>}} options
   *   `performRefresh` sends the refresh request and resolves with its result, `at`
   *   being when the new cookies were in place (or throws).
   */
  constructor({ locks, now, name, performRefresh }) {
    this.locks = locks;
    this.now = now;
    this.lockName = `${name}:refresh`;
    this.markerPrefix = `${name}${MARKER}`;
    this.tabId = Math.random().toString(36).slice(2, 10);
    this.performRefresh = performRefresh;
    /** Latest time this tab knows the session cookies were renewed (by anyone). */
    this.renewedAt = Number.NEGATIVE_INFINITY;
    this.inflight = null;
    this.releaseMarker = null;
  }

  /** Records a renewal this tab heard of (a sibling's broadcast). */
  noteRenewed(at) {
    if (at > this.renewedAt) this.renewedAt = at;
  }

  /**
   * Records a renewal this tab made without a refresh (a sign-in), where siblings
   * holding the refresh lock next can see it.
   */
  async markRenewed(at) {
    this.noteRenewed(at);
    await this.publishMarker(at);
  }

  /**
   * Makes sure the cookies were renewed after `since` (ms): resolves with
   * `{source: "network", result}` when this tab refreshed, or `{source: "sibling"}`
   * when a renewal after `since` already happened (or one in flight here was joined
   * and made by a sibling). Rejects with the refresh's error.
   * @param {number} since when the request that found the access token stale was sent
   */
  refreshIfStale(since) {
    if (this.renewedAt > since) return Promise.resolve({ source: "sibling" });
    // Joining a refresh already under way is right even if it began before `since`:
    // it completes after, so its cookies are the ones the caller's retry will carry.
    this.inflight ??= this.coordinated(since).finally(() => { this.inflight = null; });
    return this.inflight;
  }

  async coordinated(since) {
    if (!this.locks) return this.refreshNow();
    let granted = false;
    try {
      return await this.locks.request(this.lockName, async () => {
        granted = true;
        const renewed = Math.max(this.renewedAt, await this.latestMarker());
        this.noteRenewed(renewed);
        if (renewed > since) return { source: "sibling" };
        const refreshed = await this.refreshNow();
        // Before the lock is released, so the next holder cannot miss it.
        await this.publishMarker(this.renewedAt);
        return refreshed;
      });
    } catch (error) {
      // Web Locks exist but refused this document (e.g. an opaque-origin frame throws
      // SecurityError): coordinate within the tab only. Errors of the refresh itself
      // (thrown after the grant) propagate.
      if (granted) throw error;
      return this.refreshNow();
    }
  }

  async refreshNow() {
    const result = await this.performRefresh();
    this.noteRenewed(result?.at ?? this.now());
    return { source: "network", result };
  }

  /** The newest renewal time among the markers any tab of this origin holds. */
  async latestMarker() {
    if (typeof this.locks?.query !== "function") return Number.NEGATIVE_INFINITY;
    const { held = [] } = await this.locks.query();
    let latest = Number.NEGATIVE_INFINITY;
    for (const lock of held) {
      if (!lock.name?.startsWith(this.markerPrefix)) continue;
      const at = Number(lock.name.slice(this.markerPrefix.length).split(":")[0]);
      if (Number.isFinite(at) && at > latest) latest = at;
    }
    return latest;
  }

  /** Holds a marker lock for renewal time `at`, replacing this tab's previous one. */
  async publishMarker(at) {
    if (!this.locks || typeof this.locks.query !== "function") return;
    const previous = this.releaseMarker;
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    try {
      await /** @type {Promise<void>} */ (new Promise((granted, refused) => {
        this.locks.request(`${this.markerPrefix}${at}:${this.tabId}`, { mode: "shared", ifAvailable: true },
          (lock) => {
            if (lock === null) { refused(new Error("marker lock unavailable")); return undefined; }
            granted();
            return held;
          }).catch(refused);
      }));
    } catch {
      // No marker: siblings fall back to the broadcast (at worst one extra refresh).
      return;
    }
    this.releaseMarker = release;
    previous?.();
  }

  /** Lets go of this tab's marker (the client is closing). */
  close() {
    this.releaseMarker?.();
    this.releaseMarker = null;
  }
}
