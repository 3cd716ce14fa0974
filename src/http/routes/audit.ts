import { Router } from 'express';
import { recordAudit } from '../../core/audit/record-audit.js';
import { auditActionList, auditCsv, listAudit, ZAuditQuery } from '../../core/audit/list-audit.js';
import type { Deps } from '../../core/ports.js';
import { auditContext, parse, requireRoles } from '../middleware.js';

/** Rows a CSV export may hold; narrow the filters for more. */
const CSV_MAX_ROWS = 50_000;

/** The audit log (admins): `GET /api/audit` with filters, as JSON pages or one CSV. */
export function auditRouter(deps: Deps): Router {
  const r = Router();

  r.get('/audit', requireRoles('admin'), async (req, res) => {
    const q = parse(ZAuditQuery, req.query);
    if (q.format === 'csv') {
      const { entries } = await listAudit(deps.db, q, { max: CSV_MAX_ROWS });
      const { format: _f, limit: _l, cursor: _c, ...filters } = q;
      await recordAudit(deps.db, { ...auditContext(req), action: 'audit.export', details: { filters, rows: entries.length } });
      res
        .type('text/csv; charset=utf-8')
        .set('Content-Disposition', `attachment; filename="switchboard-audit-${new Date().toISOString().slice(0, 10)}.csv"`)
        .send(auditCsv(entries));
      return;
    }
    res.json(await listAudit(deps.db, q));
  });

  r.get('/audit/actions', requireRoles('admin'), (_req, res) => {
    res.json({ actions: auditActionList() });
  });

  return r;
}
