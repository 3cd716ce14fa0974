import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { FlowsCheck, FlowTreeNode } from '../../types.js';
import { FormError, Section } from './admin-bits.js';

/**
 * IVR flows, read-only: they are files in IVR_FLOWS_DIR, so this screen shows each one as a tree
 * (how a caller gets from the start to each step) with the same check `npm run ivr:check` runs.
 */
export function IvrFlowsAdmin() {
  const { t } = useTranslation();
  const [check, setCheck] = useState<FlowsCheck | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.ivrFlows().then(setCheck, (err: Error) => setError(err.message));
  }, []);
  const forFlow = (name: string) => (check?.warnings ?? []).filter((w) => w.startsWith(`${name}: `));
  return (
    <Section title={t('admin.tabs.ivr')}>
      <p className="muted small">{t('admin.ivr.readOnly')}</p>
      <FormError error={error} />
      {check && <CheckResult check={check} />}
      {check?.flows.map((f) => (
        <article key={f.name} className="ivr-flow" aria-labelledby={`ivr-flow-${f.name}`} data-testid="ivr-flow">
          <h3 id={`ivr-flow-${f.name}`}>
            <code>{f.name}</code>
            {f.description && <span className="muted"> — {f.description}</span>}
          </h3>
          <Warnings
            warnings={forFlow(f.name).map((w) => w.slice(f.name.length + 2))}
            label={t('admin.ivr.warningsFor', { name: f.name })}
          />
          <ul className="ivr-tree" aria-label={t('admin.ivr.stepsOf', { name: f.name })}>
            <TreeNode node={f.tree} />
          </ul>
          <details>
            <summary>{t('admin.ivr.outline')}</summary>
            <pre className="ivr-outline">{f.lines.join('\n')}</pre>
          </details>
        </article>
      ))}
    </Section>
  );
}

function CheckResult({ check }: { check: FlowsCheck }) {
  const { t } = useTranslation();
  if (!check.ok)
    return (
      <div className="ivr-check bad" role="alert" data-testid="ivr-check">
        <strong>{t('admin.ivr.invalid')}</strong> <code>{check.error}</code>
      </div>
    );
  return (
    <div className={check.warnings.length ? 'ivr-check warn' : 'ivr-check ok'} data-testid="ivr-check">
      <strong>{t('admin.ivr.valid', { count: check.flows.length })}</strong>{' '}
      {check.warnings.length ? t('admin.ivr.warnings', { count: check.warnings.length }) : t('admin.ivr.noWarnings')}
    </div>
  );
}

function Warnings({ warnings, label }: { warnings: string[]; label: string }) {
  if (!warnings.length) return null;
  return (
    <ul className="ivr-warnings" aria-label={label}>
      {warnings.map((w) => (
        <li key={w}>{w}</li>
      ))}
    </ul>
  );
}

/** One step: how the caller gets here (`press 1`, `no answer`), its id, what it does, then where it leads. */
function TreeNode({ node }: { node: FlowTreeNode }) {
  const { t } = useTranslation();
  return (
    <li>
      <div className="ivr-step" data-testid="ivr-step">
        <span className="ivr-edge">{node.label} →</span>{' '}
        <code className={`ivr-type ivr-type-${node.type}`} title={t(`admin.ivr.types.${node.type}`)}>
          {node.id}
        </code>{' '}
        {node.repeated ? <span className="muted">{t('admin.ivr.seeAbove')}</span> : <span>{node.summary}</span>}
      </div>
      {node.next.length > 0 && (
        <ul>
          {node.next.map((n, i) => (
            <TreeNode key={`${n.label}-${n.id}-${i}`} node={n} />
          ))}
        </ul>
      )}
    </li>
  );
}
