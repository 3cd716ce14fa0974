-- A cheaper write path for conversation_facts (issue #15: ~0.4 ms of Postgres per conversation
-- insert or update went to the 0018 triggers, which re-read the view with its survey and review
-- joins for every statement). The figures are unchanged; docs/reports.md.
--
-- A conversation's own figures, from its row alone: the one place for these expressions (the
-- same as the scan in src/core/reports/summary.ts). The view reads them, and so do the triggers
-- below, straight from the row they are given. A SQL function with one expression, so the
-- planner inlines it: a column reference in the view, no call per row.
CREATE TYPE "conversation_figures" AS (
  created_at timestamptz, queue_key text, assignee_id uuid, channel text, disposition text,
  abandoned boolean, resolved boolean, wait_seconds numeric, first_response_seconds float8,
  resolution_seconds float8, handle_seconds numeric, transfers integer, sla_breaches integer
);
--> statement-breakpoint
CREATE FUNCTION "conversation_figures"(c conversations) RETURNS conversation_figures
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT ROW(c.created_at, c.queue_key, c.assignee_id, c.channel, c.disposition,
  c.status = 'abandoned',
  c.status = 'resolved',
  CASE WHEN coalesce(c.metadata->>'direction', 'inbound') <> 'outbound'
    THEN extract(epoch FROM c.accepted_at - c.created_at) END,
  CASE WHEN coalesce(c.metadata->>'direction', 'inbound') <> 'outbound'
    THEN extract(epoch FROM c.first_reply_at - c.created_at)::float8 END,
  extract(epoch FROM c.resolved_at - c.created_at)::float8,
  CASE
    WHEN c.accepted_at IS NULL THEN NULL
    WHEN c.channel = 'voice' THEN
      (c.metadata->>'talkSeconds')::numeric
      + coalesce(greatest(0, extract(epoch FROM c.resolved_at
          - coalesce(c.metadata->>'surveyStartedAt', c.metadata->>'endedAt')::timestamptz)), 0)
    WHEN c.resolved_at IS NULL THEN NULL
    ELSE greatest(0, extract(epoch FROM c.resolved_at - c.accepted_at) - c.pending_seconds)
  END,
  c.transfer_count,
  jsonb_array_length(c.sla_breaches))::conversation_figures
$$;
--> statement-breakpoint
-- The same columns as before (0019), the conversation's own from the function.
CREATE OR REPLACE VIEW "conversation_facts_source" AS
SELECT c.id AS conversation_id,
  (conversation_figures(c)).*,
  s.conversation_id IS NOT NULL AS csat_sent,
  s.score AS csat_score,
  rv.review_sum,
  rv.reviews
FROM conversations c
LEFT JOIN csat_surveys s ON s.conversation_id = c.id
LEFT JOIN LATERAL (
  SELECT sum(r.average) AS review_sum, count(*)::int AS reviews FROM quality_reviews r WHERE r.conversation_id = c.id
) rv ON true;
--> statement-breakpoint
DROP TRIGGER "conversation_facts_insert" ON "conversations";
--> statement-breakpoint
DROP TRIGGER "conversation_facts_update" ON "conversations";
--> statement-breakpoint
DROP FUNCTION "conversation_facts_after_insert"();
--> statement-breakpoint
DROP FUNCTION "conversation_facts_after_update"();
--> statement-breakpoint
-- A conversation's insert or update writes its own columns from the row it wrote, and leaves the
-- survey and review columns as they are: a new conversation has none yet (they reference it, so
-- they come after it and refresh the row themselves, 0018), an existing row keeps its own (every
-- conversation has its row: inserted with it, or by 0018's backfill). The insert cannot meet a
-- row except when a survey or review was written in the same statement (a WITH query) and its
-- trigger ran first; then it is updated like any other.
--
-- Concurrency (0018's guarantee: two transactions changing one conversation cannot leave the
-- older figures behind): updates of one conversation wait for each other on its row, and each
-- writes the figures of the version it wrote, so the last to commit writes last. A survey or
-- review refresh in another transaction locks the facts row first (0018): if it got there first,
-- this write waits for it, then sets only the conversation's columns on the newest version of
-- the facts row, keeping the answer or review; if this write got there first, the refresh waits
-- until it commits and reads the view in a later snapshot, which includes this conversation.
--
-- Its statements keep one plan per session (force_generic_plan), whatever plan mode the session
-- runs in: planned per execution (as under force_custom_plan, briefly the app's setting), the
-- insert inlines conversation_figures once for each of its 13 columns (2.4 ms an insert, 3.9 ms
-- an accept, measured). They write one row by its key: there is no other plan to pick.
CREATE FUNCTION "conversation_facts_write"() RETURNS trigger LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND conversation_figures(NEW) IS NOT DISTINCT FROM conversation_figures(OLD) THEN
    RETURN NULL;
  END IF;
  INSERT INTO conversation_facts AS f (conversation_id, created_at, queue_key, assignee_id, channel, disposition,
    abandoned, resolved, wait_seconds, first_response_seconds, resolution_seconds, handle_seconds, transfers,
    sla_breaches, csat_sent, csat_score, review_sum, reviews)
  SELECT NEW.id, (conversation_figures(NEW)).*, false, NULL, NULL, 0
  ON CONFLICT (conversation_id) DO UPDATE SET
    (created_at, queue_key, assignee_id, channel, disposition, abandoned, resolved, wait_seconds,
      first_response_seconds, resolution_seconds, handle_seconds, transfers, sla_breaches)
    = (excluded.created_at, excluded.queue_key, excluded.assignee_id, excluded.channel, excluded.disposition,
      excluded.abandoned, excluded.resolved, excluded.wait_seconds, excluded.first_response_seconds,
      excluded.resolution_seconds, excluded.handle_seconds, excluded.transfers, excluded.sla_breaches);
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Row-level: one write per conversation changed, none for an update that changes no figure (the
-- function compares the figures themselves, old and new, not the columns they come from): an
-- offer, the last message time, an SLA clock cost the comparison alone. Not a trigger WHEN: that
-- is planned again for every statement, inlining the function each time (1.7 ms an offer,
-- measured), where the plpgsql function's plan is kept by the session. The comparison is by
-- value: 96 and 96.0 talk seconds are the same figure (a report rounds sums, never shows the
-- stored scale).
CREATE TRIGGER "conversation_facts_insert" AFTER INSERT ON "conversations"
  FOR EACH ROW EXECUTE FUNCTION conversation_facts_write();
--> statement-breakpoint
CREATE TRIGGER "conversation_facts_update" AFTER UPDATE ON "conversations"
  FOR EACH ROW EXECUTE FUNCTION conversation_facts_write();
