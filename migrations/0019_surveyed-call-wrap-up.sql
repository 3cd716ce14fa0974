-- A call with a post-call survey (queue csatVoice): the agent leaves when the survey starts,
-- so wrap-up runs from then, not from the caller's hang-up after the survey (docs/reports.md).
-- The same expression as HANDLE_SECONDS in src/core/reports/summary.ts.
CREATE OR REPLACE VIEW "conversation_facts_source" AS
SELECT c.id AS conversation_id, c.created_at, c.queue_key, c.assignee_id, c.channel, c.disposition,
  c.status = 'abandoned' AS abandoned,
  c.status = 'resolved' AS resolved,
  CASE WHEN coalesce(c.metadata->>'direction', 'inbound') <> 'outbound'
    THEN extract(epoch FROM c.accepted_at - c.created_at) END AS wait_seconds,
  CASE WHEN coalesce(c.metadata->>'direction', 'inbound') <> 'outbound'
    THEN extract(epoch FROM c.first_reply_at - c.created_at)::float8 END AS first_response_seconds,
  extract(epoch FROM c.resolved_at - c.created_at)::float8 AS resolution_seconds,
  CASE
    WHEN c.accepted_at IS NULL THEN NULL
    WHEN c.channel = 'voice' THEN
      (c.metadata->>'talkSeconds')::numeric
      + coalesce(greatest(0, extract(epoch FROM c.resolved_at
          - coalesce(c.metadata->>'surveyStartedAt', c.metadata->>'endedAt')::timestamptz)), 0)
    WHEN c.resolved_at IS NULL THEN NULL
    ELSE greatest(0, extract(epoch FROM c.resolved_at - c.accepted_at) - c.pending_seconds)
  END AS handle_seconds,
  c.transfer_count AS transfers,
  jsonb_array_length(c.sla_breaches) AS sla_breaches,
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
SELECT refresh_conversation_facts(ARRAY(SELECT id FROM conversations WHERE metadata ? 'surveyStartedAt'));
