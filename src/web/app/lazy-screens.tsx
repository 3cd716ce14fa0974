import { Component, lazy, Suspense, type ComponentType, type ReactNode } from 'react';
import { i18next } from '../i18n.js';

/**
 * Screens an agent does not need to start work load when first opened, each as its own chunk:
 * the wallboard brings the charts library, the security page the QR-code encoder, the admin
 * screens their forms. The desk's first load stays small (docs/desk.md, "First load").
 */
function screen<K extends string, C extends ComponentType<any>>(load: () => Promise<Record<K, C>>, name: K) {
  return lazy(() => load().then((module) => ({ default: module[name] })));
}

export const Wallboard = screen(() => import('../screens/wallboard/wallboard.js'), 'Wallboard');
export const Admin = screen(() => import('../screens/admin/admin.js'), 'Admin');
export const Reports = screen(() => import('../screens/reports/reports.js'), 'Reports');
export const AuditLog = screen(() => import('../screens/admin/audit-log.js'), 'AuditLog');
export const SandboxScreen = screen(() => import('../screens/sandbox/sandbox.js'), 'SandboxScreen');
export const SecurityPage = screen(() => import('../screens/security/security-page.js'), 'SecurityPage');
export const IncidentsScreen = screen(() => import('../screens/incidents/incidents.js'), 'IncidentsScreen');
export const ReviewsScreen = screen(() => import('../screens/reviews/reviews.js'), 'ReviewsScreen');
export const PasswordGate = screen(() => import('../screens/security/security-page.js'), 'PasswordGate');

/** Shows a lazily loaded screen, "Loading…" meanwhile, and a way out when its chunk cannot be fetched. */
export function LazyScreen({ children }: { children: ReactNode }) {
  return (
    <ChunkFailure>
      <Suspense fallback={<div className="loading">{i18next.t('common.loading')}</div>}>{children}</Suspense>
    </ChunkFailure>
  );
}

/**
 * A chunk fails to load when the network drops or when Switchboard was upgraded since this tab
 * opened (the old hashed files are gone): a reload fetches the current desk.
 */
class ChunkFailure extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="empty" role="alert">
        <div className="empty-title">{i18next.t('lazy.failed')}</div>
        <div className="muted">{i18next.t('lazy.failedHint')}</div>
        <div>
          <button type="button" className="btn btn-primary" onClick={() => location.reload()}>
            {i18next.t('lazy.reload')}
          </button>
        </div>
      </div>
    );
  }
}
