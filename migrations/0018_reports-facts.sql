CREATE TABLE "conversation_facts" (
	"conversation_id" uuid PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"queue_key" text NOT NULL,
	"assignee_id" uuid,
	"channel" text NOT NULL,
	"disposition" text,
	"abandoned" boolean NOT NULL,
	"resolved" boolean NOT NULL,
	"wait_seconds" numeric,
	"first_response_seconds" double precision,
	"resolution_seconds" double precision,
	"handle_seconds" numeric,
	"transfers" integer NOT NULL,
	"sla_breaches" integer NOT NULL,
	"csat_sent" boolean NOT NULL,
	"csat_score" integer,
	"review_sum" real,
	"reviews" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "conversation_facts" ADD CONSTRAINT "conversation_facts_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversation_facts_created_idx" ON "conversation_facts" USING btree ("created_at");--> statement-breakpoint
-- Hand-written below (drizzle-kit drops it when the migration is regenerated: re-append it).
-- Each conversation's report figures, by the definitions of docs/reports.md: the same
-- expressions as the scan in src/core/reports/summary.ts (`source: 'conversations'`), which
-- test/reports-facts.test.ts checks this table against.
CREATE VIEW "conversation_facts_source" AS
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
      + coalesce(greatest(0, extract(epoch FROM c.resolved_at - (c.metadata->>'endedAt')::timestamptz)), 0)
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
-- Recomputes these conversations' rows. Their fact rows are locked first, and the figures read
-- by a later statement (a fresh snapshot under READ COMMITTED): two transactions changing one
-- conversation (an update and a CSAT answer) cannot leave the older figures behind.
CREATE FUNCTION "refresh_conversation_facts"(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM conversation_facts WHERE conversation_id = ANY(ids) ORDER BY conversation_id FOR UPDATE;
  INSERT INTO conversation_facts AS f (conversation_id, created_at, queue_key, assignee_id, channel, disposition,
    abandoned, resolved, wait_seconds, first_response_seconds, resolution_seconds, handle_seconds, transfers,
    sla_breaches, csat_sent, csat_score, review_sum, reviews)
  SELECT v.conversation_id, v.created_at, v.queue_key, v.assignee_id, v.channel, v.disposition,
    v.abandoned, v.resolved, v.wait_seconds, v.first_response_seconds, v.resolution_seconds, v.handle_seconds, v.transfers,
    v.sla_breaches, v.csat_sent, v.csat_score, v.review_sum, v.reviews
  FROM conversation_facts_source v WHERE v.conversation_id = ANY(ids)
  ON CONFLICT (conversation_id) DO UPDATE SET
    created_at = excluded.created_at, queue_key = excluded.queue_key, assignee_id = excluded.assignee_id,
    channel = excluded.channel, disposition = excluded.disposition, abandoned = excluded.abandoned,
    resolved = excluded.resolved, wait_seconds = excluded.wait_seconds,
    first_response_seconds = excluded.first_response_seconds, resolution_seconds = excluded.resolution_seconds,
    handle_seconds = excluded.handle_seconds, transfers = excluded.transfers, sla_breaches = excluded.sla_breaches,
    csat_sent = excluded.csat_sent, csat_score = excluded.csat_score, review_sum = excluded.review_sum,
    reviews = excluded.reviews;
END $$;
--> statement-breakpoint
-- Statement-level triggers (one call per statement, however many rows): an update refreshes only
-- the conversations whose report columns changed, so the frequent ones (last message, SLA clocks,
-- offers) cost a comparison.
CREATE FUNCTION "conversation_facts_after_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_conversation_facts(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "conversation_facts_after_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_conversation_facts(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.created_at, o.queue_key, o.assignee_id, o.channel, o.disposition, o.status, o.metadata, o.accepted_at,
           o.first_reply_at, o.resolved_at, o.pending_seconds, o.transfer_count, o.sla_breaches)
      IS DISTINCT FROM
          (n.created_at, n.queue_key, n.assignee_id, n.channel, n.disposition, n.status, n.metadata, n.accepted_at,
           n.first_reply_at, n.resolved_at, n.pending_seconds, n.transfer_count, n.sla_breaches)));
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Surveys and reviews change their conversation's row (a score that arrives days later, a review).
CREATE FUNCTION "conversation_facts_after_child_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM refresh_conversation_facts(ARRAY(SELECT DISTINCT conversation_id FROM new_rows));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM refresh_conversation_facts(ARRAY(SELECT conversation_id FROM new_rows UNION SELECT conversation_id FROM old_rows));
  ELSE
    PERFORM refresh_conversation_facts(ARRAY(SELECT DISTINCT conversation_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "conversation_facts_insert" AFTER INSERT ON "conversations"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_facts_after_insert();
--> statement-breakpoint
CREATE TRIGGER "conversation_facts_update" AFTER UPDATE ON "conversations"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_facts_after_update();
--> statement-breakpoint
CREATE TRIGGER "conversation_facts_csat_insert" AFTER INSERT ON "csat_surveys"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_facts_after_child_change();
--> statement-breakpoint
CREATE TRIGGER "conversation_facts_csat_update" AFTER UPDATE ON "csat_surveys"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_facts_after_child_change();
--> statement-breakpoint
CREATE TRIGGER "conversation_facts_csat_delete" AFTER DELETE ON "csat_surveys"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_facts_after_child_change();
--> statement-breakpoint
CREATE TRIGGER "conversation_facts_review_insert" AFTER INSERT ON "quality_reviews"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_facts_after_child_change();
--> statement-breakpoint
CREATE TRIGGER "conversation_facts_review_update" AFTER UPDATE ON "quality_reviews"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_facts_after_child_change();
--> statement-breakpoint
CREATE TRIGGER "conversation_facts_review_delete" AFTER DELETE ON "quality_reviews"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_facts_after_child_change();
--> statement-breakpoint
-- An existing install: every conversation's row, once (under the migration's lock, before any write).
INSERT INTO "conversation_facts" SELECT * FROM "conversation_facts_source";
