-- conversation_facts_write (0020), cheaper per row and the same figures (issue #15, docs/routing.md
-- "Postgres time per text"). The row's figures are computed once, into a variable: the comparison
-- uses it, and the insert takes its fields as plain parameters. Planned per execution or kept,
-- that insert now has one cheap plan (0020's inlined conversation_figures once per column, which
-- is why it forced generic plans), so the function needs no SET clause: a SET clause makes every
-- call save, set and restore the setting around the function, for each conversation written.
CREATE OR REPLACE FUNCTION "conversation_facts_write"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  f conversation_figures := conversation_figures(NEW);
BEGIN
  IF TG_OP = 'UPDATE' AND f IS NOT DISTINCT FROM conversation_figures(OLD) THEN
    RETURN NULL;
  END IF;
  INSERT INTO conversation_facts AS x (conversation_id, created_at, queue_key, assignee_id, channel, disposition,
    abandoned, resolved, wait_seconds, first_response_seconds, resolution_seconds, handle_seconds, transfers,
    sla_breaches, csat_sent, csat_score, review_sum, reviews)
  VALUES (NEW.id, f.created_at, f.queue_key, f.assignee_id, f.channel, f.disposition,
    f.abandoned, f.resolved, f.wait_seconds, f.first_response_seconds, f.resolution_seconds, f.handle_seconds, f.transfers,
    f.sla_breaches, false, NULL, NULL, 0)
  ON CONFLICT (conversation_id) DO UPDATE SET
    (created_at, queue_key, assignee_id, channel, disposition, abandoned, resolved, wait_seconds,
      first_response_seconds, resolution_seconds, handle_seconds, transfers, sla_breaches)
    = (excluded.created_at, excluded.queue_key, excluded.assignee_id, excluded.channel, excluded.disposition,
      excluded.abandoned, excluded.resolved, excluded.wait_seconds, excluded.first_response_seconds,
      excluded.resolution_seconds, excluded.handle_seconds, excluded.transfers, excluded.sla_breaches);
  RETURN NULL;
END $$;
