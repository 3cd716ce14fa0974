import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export type AdminColumn<T> = { header: string; cell: (row: T) => ReactNode; className?: string };

/**
 * The one list every admin section shows: a labelled table, one row per item (`testId` names the
 * rows for tests), a last column of per-row buttons under a screen-reader-only "Actions" header,
 * and a line saying so when there is nothing yet.
 */
export function AdminTable<T>({
  label,
  rows,
  rowKey,
  columns,
  actions,
  testId,
  empty,
}: {
  label: string;
  rows: readonly T[] | null;
  rowKey: (row: T) => string;
  columns: AdminColumn<T>[];
  actions?: (row: T) => ReactNode;
  testId: string;
  empty?: string;
}) {
  const { t } = useTranslation();
  const width = columns.length + (actions ? 1 : 0);
  return (
    <table className="admin-table" aria-label={label}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.header} scope="col">
              {c.header}
            </th>
          ))}
          {actions && (
            <th scope="col">
              <span className="sr-only">{t('admin.actions')}</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {(rows ?? []).map((row) => (
          <tr key={rowKey(row)} data-testid={testId}>
            {columns.map((c) => (
              <td key={c.header} className={c.className}>
                {c.cell(row)}
              </td>
            ))}
            {actions && <td className="actions">{actions(row)}</td>}
          </tr>
        ))}
        {rows?.length === 0 && (
          <tr>
            <td colSpan={width} className="muted">
              {empty ?? t('admin.none')}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
