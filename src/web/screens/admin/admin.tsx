import { useTranslation } from 'react-i18next';
import type { Agent } from '../../types.js';
import { AgentsAdmin } from './agents-admin.js';
import { CannedAdmin } from './canned-admin.js';
import { DispositionsAdmin } from './dispositions-admin.js';
import { InboxesAdmin } from './inboxes-admin.js';
import { IvrFlowsAdmin } from './ivr-flows-admin.js';
import { QueuesAdmin } from './queues-admin.js';
import { ScorecardAdmin } from './scorecard-admin.js';
import { tabsFor, type AdminTab } from './admin-tabs.js';
import './admin.css';

/** `/admin/<tab>`: the settings screens for supervisors and admins. */
export function Admin({ me, tab, onTab }: { me: Agent; tab: AdminTab; onTab: (t: AdminTab) => void }) {
  const { t } = useTranslation();
  const tabs = tabsFor(me);
  const current = tabs.includes(tab) ? tab : tabs[0];
  return (
    <main className="admin-page" aria-labelledby="admin-title">
      <h1 id="admin-title">{t('admin.title')}</h1>
      <nav className="admin-tabs" aria-label={t('admin.sections')}>
        {tabs.map((x) => (
          <a
            key={x}
            href={`/admin/${x}`}
            className={x === current ? 'admin-tab on' : 'admin-tab'}
            aria-current={x === current ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              onTab(x);
            }}
          >
            {t(`admin.tabs.${x}`)}
          </a>
        ))}
      </nav>
      {current === 'agents' && <AgentsAdmin me={me} />}
      {current === 'queues' && <QueuesAdmin />}
      {current === 'inboxes' && <InboxesAdmin />}
      {current === 'canned' && <CannedAdmin />}
      {current === 'dispositions' && <DispositionsAdmin />}
      {current === 'ivr' && <IvrFlowsAdmin />}
      {current === 'scorecard' && <ScorecardAdmin />}
    </main>
  );
}
